import { expect, test } from './fixtures';
import { createOrganization, hydrated, unique } from './helpers';

test('accept an invitation, set a password, land signed in; the link is then refused', async ({ browser }) => {
  const email = `${unique('rowan')}@example.com`;
  const link = createOrganization(unique('Acme'), email);

  // A fresh browser, as when the person opens the email.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: /Welcome to Acme/ })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();

  // The shared password rule answers as the person types.
  await page.getByLabel('New password').fill('short');
  await page.getByLabel('Type the password again').fill('short');
  await page.getByLabel('Type the password again').blur();
  await expect(page.getByTestId('accept-error')).toContainText('at least 10 characters');

  await page.getByLabel('New password').fill('a long passphrase');
  await page.getByLabel('Type the password again').fill('a long passphrase');
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(page).toHaveURL(/\/organization$/);
  await expect(page.getByTestId('count-active')).toHaveText('1');
  await expect(page.getByTestId('members-table')).toContainText(email);

  // The link is single-use: opening it again, anywhere, is refused.
  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto(link);
  await expect(second.getByTestId('invitation-closed')).toContainText('cannot be used');
  await other.close();
  await context.close();
});

test('a tampered link is refused with what to do', async ({ page }) => {
  await page.goto(`/invite/${'0'.repeat(64)}`);
  await expect(page.getByTestId('invitation-closed')).toContainText('ask your administrator to resend');
});
