import { expect, test } from './fixtures';
import { hydrated, newOrganizationAdmin, resetLinkFromMailbox, unique } from './helpers';

const NEW_PASSWORD = 'a brand new passphrase';

test('forgot password: a link by email, a new password, signed in, other sessions ended, the link dead after', async ({ browser }) => {
  const { page: admin, context: adminContext, adminEmail } = await newOrganizationAdmin(browser);

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await hydrated(page);
  await page.getByLabel('Email address').fill(adminEmail);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  const answer = await page.getByTestId('forgot-sent').innerText();
  expect(answer).toContain('If an account exists for this address');

  // An address without an account gets the very same page.
  const other = await context.newPage();
  await other.goto('/forgot-password');
  await hydrated(other);
  await other.getByLabel('Email address').fill(`${unique('nobody')}@example.com`);
  await other.getByRole('button', { name: 'Email me a link' }).click();
  await expect(other.getByTestId('forgot-sent')).toHaveText(answer);

  const link = await resetLinkFromMailbox(admin, adminEmail);
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByLabel('Type the password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set new password and sign in' }).click();
  await expect(page).toHaveURL(/\/organization$/);

  // The session that was open before the reset has ended.
  await admin.goto('/organization');
  await expect(admin).toHaveURL(/\/sign-in/);

  // The link works once.
  const again = await context.newPage();
  await again.goto(link);
  await expect(again.getByTestId('reset-closed')).toContainText('cannot be used');

  // The new password signs in; the old one does not.
  await admin.goto('/sign-in');
  await hydrated(admin);
  await admin.getByLabel('Email address').fill(adminEmail);
  await admin.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await expect(admin).toHaveURL(/\/organization$/);
  await context.close();
  await adminContext.close();
});

test('change password: the current one is required, then the new one works', async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await page.locator('.topbar').getByRole('link', { name: 'Rowan Price' }).click();
  await expect(page).toHaveURL(/\/account\/password$/);
  await hydrated(page);
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByLabel('Type the password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#current_password-error')).toContainText('not your current password');
  await page.getByLabel('Current password').fill('a long passphrase');
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByLabel('Type the password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('change-done')).toContainText('Password changed');
  await context.close();
});
