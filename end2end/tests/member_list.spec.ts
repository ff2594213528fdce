import { expect, test } from './fixtures';
import { DEMO_ADMIN, DEMO_PASSWORD, hydrated, signIn } from './helpers';

test('search, filter and sort the member list; select and act on a page', async ({ page }) => {
  await signIn(page, DEMO_ADMIN, DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/organization$/);
  await expect(page.getByTestId('members-total')).toContainText('21 members');
  // Each row's menus show the member's own values, before and after hydration.
  await expect(page.getByLabel('Permission of Dana Whitfield')).toHaveValue('admin');
  await expect(page.getByLabel('Permission of Ava Hughes')).toHaveValue('member');
  await hydrated(page);
  await expect(page.getByLabel('Permission of Dana Whitfield')).toHaveValue('admin');

  await page.getByLabel('Search', { exact: true }).fill('CHLO');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/q=CHLO/);
  await expect(page.getByTestId('members-total')).toContainText('1 member match');
  await expect(page.getByTestId('members-table')).toContainText('Chloé Dubois');

  await page.goto('/organization?status=invited&sort=newest');
  await expect(page.getByTestId('members-total')).toContainText('5 members match');
  await expect(page.getByLabel('Billing status', { exact: true })).toHaveValue('invited');
  await hydrated(page);
  await page.getByLabel('Select all members on this page').check();
  await expect(page.getByTestId('bulk-bar')).toContainText('5 selected');
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Resend invitations' }).click();
  await expect(page.getByTestId('flash')).toContainText('5 new invitations sent');

  await page.goto('/organization?q=nobody-here');
  await expect(page.getByTestId('members-empty')).toContainText('No member matches');
  await page.getByRole('link', { name: 'Clear the filters' }).click();
  await expect(page.getByTestId('members-total')).toContainText('21 members');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the filter form works as a plain form', async ({ page }) => {
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(DEMO_ADMIN);
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/organization$/);
    await page.getByLabel('Billing status', { exact: true }).selectOption('deactivated');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByTestId('members-total')).toContainText('4 members match');
  });
});
