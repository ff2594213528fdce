import { expect, test } from './fixtures';
import { DEMO_ADMIN, DEMO_MEMBER, DEMO_PASSWORD, hydrated, signIn } from './helpers';

test('an administrator signs in and reads the header counts', async ({ page }) => {
  await signIn(page, DEMO_ADMIN, DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/organization$/);
  await expect(page.getByRole('heading', { name: 'My Organization' })).toBeVisible();
  // The demo organization: the administrator and 11 active members, 5 invited, 4 inactive.
  await expect(page.getByTestId('count-active')).toHaveText('12');
  await expect(page.getByTestId('count-invited')).toHaveText('5');
  await expect(page.getByTestId('count-inactive')).toHaveText('4');
  await expect(page.getByTestId('seats-enable-used')).toHaveText('14');
  await expect(page.getByTestId('seats-enable-free')).toHaveText('36');
  await expect(page.getByTestId('seats-opportunity-used')).toHaveText('6');
  await expect(page.getByTestId('seats-opportunity-free')).toHaveText('14');
  const table = page.getByTestId('members-table');
  await expect(table.getByRole('row')).toHaveCount(22); // header + 21 members
  await expect(table).toContainText('Chloé Dubois');
  await expect(table.getByRole('row', { name: /Oscar Jensen/ })).toContainText('Inactive');
});

test('a wrong password is refused with a clear message', async ({ page }) => {
  await signIn(page, 'noah.weber@northwind.example', 'not-the-password');
  await expect(page.getByTestId('sign-in-error')).toHaveText(
    'The email address or password is not right. Check both and try again.',
  );
  await expect(page).toHaveURL(/\/sign-in/);
});

test('repeated failures lock the account, even for the right password', async ({ page }) => {
  const email = 'liam.baker@northwind.example';
  for (let attempt = 1; attempt <= 5; attempt++) {
    await signIn(page, email, `wrong-password-${attempt}`);
    await expect(page.getByTestId('sign-in-error')).toContainText('not right');
  }
  await signIn(page, email, DEMO_PASSWORD);
  await expect(page.getByTestId('sign-in-error')).toContainText('Too many failed sign-ins for this account');
  await expect(page.getByTestId('sign-in-error')).toContainText('try again in 15 minutes');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('a member opening /organization gets a 403 page', async ({ page }) => {
  await signIn(page, DEMO_MEMBER, DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/my-programs$/);
  await expect(page.getByRole('heading', { name: 'My programs' })).toBeVisible();
  const response = await page.goto('/organization');
  expect(response?.status()).toBe(403);
  await expect(page.getByTestId('forbidden')).toContainText('This page is for administrators');
});

test('an anonymous visitor of /organization is sent to sign-in, and back after', async ({ page }) => {
  const response = await page.goto('/organization');
  expect(response?.request().redirectedFrom()?.url()).toMatch(/\/organization$/);
  await expect(page).toHaveURL(/\/sign-in\?next=%2Forganization|\/sign-in\?next=\/organization/);
  await hydrated(page);
  await page.getByLabel('Email address').fill(DEMO_ADMIN);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/organization$/);
});

test('signing out ends the session', async ({ page }) => {
  await signIn(page, DEMO_ADMIN, DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/organization$/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('/organization');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('the session cookie is HttpOnly and SameSite', async ({ page, context }) => {
  await signIn(page, DEMO_ADMIN, DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/organization$/);
  const cookie = (await context.cookies()).find((c) => c.name === 'roster_session');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');
});
