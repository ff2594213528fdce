import { expect, test } from './fixtures';
import { DEMO_ADMIN, DEMO_PASSWORD, hydrated } from './helpers';

test('the sign-in page is server-rendered HTML', async ({ request }) => {
  const response = await request.get('/sign-in');
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain('Sign in to Roster');
  expect(html).toMatch(/<form[^>]*action="\/api\/sign_in/);
});

test('the page hydrates: a click handler runs in the browser', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  const password = page.getByLabel('Password', { exact: true });
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide' }).click();
  await expect(password).toHaveAttribute('type', 'password');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('signing in works as a plain form, errors included', async ({ page }) => {
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(DEMO_ADMIN);
    await page.getByLabel('Password', { exact: true }).fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('sign-in-error')).toContainText('not right');
    await page.getByLabel('Email address').fill(DEMO_ADMIN);
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/organization$/);
    await expect(page.getByTestId('count-active')).toHaveText('12');
  });
});
