import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import {
  DEMO_ADMIN, DEMO_MEMBER, DEMO_PASSWORD, fillInvitee, hydrated, newOrganizationAdmin, signIn, unique,
} from './helpers';

/** No serious or critical axe-core violation on the page as it is now. */
async function accessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  expect(bad, `${what}: accessibility violations`).toEqual([]);
}

test('every page passes an axe-core scan and has its own title', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  for (const [path, title] of [
    ['/sign-in', 'Sign in · Roster'],
    ['/forgot-password', 'Forgot password · Roster'],
    ['/invite/0000000000000000000000000000000000000000000000000000000000000000', 'Accept your invitation · Roster'],
    ['/reset-password/0000000000000000000000000000000000000000000000000000000000000000', 'Choose a new password · Roster'],
    ['/no-such-page', 'Page not found · Roster'],
  ]) {
    await page.goto(path);
    await hydrated(page);
    await expect(page).toHaveTitle(title);
    await accessible(page, path);
  }

  await signIn(page, DEMO_ADMIN, DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/organization$/);
  const memberLink = page.getByRole('link', { name: 'Ava Hughes' });
  const memberPath = await memberLink.getAttribute('href');
  for (const [path, title] of [
    ['/organization', 'My Organization'],
    ['/organization/invite', 'Invite members'],
    ['/organization/import', 'Import CSV'],
    ['/organization/invitations', 'Pending invitations'],
    ['/organization/activity', 'Activity'],
    ['/organization/mailbox', 'Mailbox'],
    [memberPath!, 'Member'],
    ['/organization/seats', 'Seats'],
    ['/organization/api-keys', 'API keys'],
    ['/organization/teams', 'Teams & Regions'],
    ['/organization/reports', 'Reports'],
    ['/account/password', 'Change password'],
    ['/my-programs', 'My programs'],
  ]) {
    await page.goto(path);
    await hydrated(page);
    await expect(page).toHaveTitle(`${title} · Northwind Traders · Roster`);
    await accessible(page, path);
  }
  await context.close();

  const learner = await browser.newContext();
  const member = await learner.newPage();
  await signIn(member, DEMO_MEMBER, DEMO_PASSWORD);
  await expect(member).toHaveURL(/\/my-programs$/);
  await hydrated(member);
  await accessible(member, '/my-programs (member)');
  await member.getByRole('link', { name: /MEDDPICC Masterclass/ }).first().click();
  await hydrated(member);
  await expect(member).toHaveTitle('Program · Northwind Traders · Roster');
  await accessible(member, 'a program (member)');
  await member.goto('/organization');
  await accessible(member, '/organization (forbidden to a member)');
  await learner.close();
});

test('inviting and importing work with the keyboard alone', async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await page.goto('/organization/invite');
  await hydrated(page);
  // From the first field on, only Tab, typing and Enter.
  await page.getByLabel('First name').focus();
  await page.keyboard.type('Kim');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Keys');
  await page.keyboard.press('Tab');
  const email = `${unique('kim')}@example.com`;
  await page.keyboard.type(email);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('invite-done')).toContainText('Invitation sent');

  await page.goto('/organization/import');
  await hydrated(page);
  await page.getByRole('button', { name: 'Download Sample File' }).focus();
  // Tab to the file picker and open it with the keyboard.
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'csv-file');
  }
  expect(reached, 'the file picker is reachable with Tab').toBe(true);
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Space');
  const csv = 'user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\n'
    + `EXT00001,Kai,Board,${unique('kai')}@example.com,Rep,FALSE,FALSE,\n`;
  await (await chooser).setFiles({ name: 'keyboard.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('check-summary')).toContainText('1 ready to import');
  const importButton = page.getByRole('button', { name: 'Import 1 members' });
  await importButton.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('import-outcome')).toContainText('Imported 1 member');
  await context.close();
});
