import { expect, test } from './fixtures';
import { fillInvitee, hydrated, invitationLinkFromMailbox, newOrganizationAdmin, unique } from './helpers';

test('an administrator makes someone manager of one team; the manager sees only that team', async ({ browser }) => {
  const { page: admin, context: adminContext } = await newOrganizationAdmin(browser);

  // A region with two teams.
  await admin.goto('/organization/teams');
  await hydrated(admin);
  const region = unique('Region');
  await admin.getByLabel('Region name').fill(region);
  await admin.getByRole('button', { name: 'Add region' }).click();
  await expect(admin.getByTestId('flash')).toContainText(`Region ${region} added.`);
  await hydrated(admin);
  for (const team of ['Alpha', 'Beta']) {
    await admin.getByLabel('Region', { exact: true }).selectOption({ label: region });
    await admin.getByLabel('Team name').fill(team);
    await admin.getByRole('button', { name: 'Add team' }).click();
    await expect(admin.getByTestId('flash')).toContainText(`Team ${team} added.`);
    await hydrated(admin);
  }

  // Three invitations: the future manager (with an Enable seat, for reports), one person
  // in Alpha and one in Beta.
  const managerEmail = `${unique('manager')}@example.com`;
  const invite = async (first: string, last: string, email: string, team: string | null, enable = false) => {
    await admin.goto('/organization/invite');
    await hydrated(admin);
    await fillInvitee(admin, first, last, email, enable);
    if (team) await admin.getByLabel('Team (optional)').selectOption({ label: `${region} / ${team}` });
    await admin.getByRole('button', { name: 'Invite Member' }).click();
    await expect(admin.getByTestId('invite-done')).toContainText('Invitation sent');
  };
  await invite('Morgan', 'Manager', managerEmail, null, true);
  await invite('Alma', 'Alpha', `${unique('alma')}@example.com`, 'Alpha');
  await invite('Bert', 'Beta', `${unique('bert')}@example.com`, 'Beta');

  // The manager-to-be accepts.
  const link = await invitationLinkFromMailbox(admin, managerEmail);
  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await manager.goto(link);
  await hydrated(manager);
  await manager.getByLabel('New password').fill('a long passphrase');
  await manager.getByLabel('Type the password again').fill('a long passphrase');
  await manager.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(manager).toHaveURL(/\/my-programs$/);

  // The administrator makes them a team manager, then chooses Alpha on their page.
  await admin.goto('/organization?q=Morgan');
  await hydrated(admin);
  await admin.getByLabel('Permission of Morgan Manager').selectOption('manager');
  const dialog = admin.getByRole('dialog');
  await expect(dialog).toContainText('Make Morgan Manager a team manager?');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(admin.getByTestId('flash')).toContainText('Permission changed to Team manager.');
  await admin.getByRole('link', { name: 'Morgan Manager' }).click();
  await hydrated(admin);
  const manages = admin.getByRole('group', { name: 'Regions and teams this manager sees' });
  await manages.getByLabel(`Team ${region} / Alpha`).check();
  await admin.getByRole('button', { name: 'Save what they manage' }).click();
  await expect(admin.getByText('Saved: the manager sees the members of what is ticked.')).toBeVisible();

  // Where Bert is, for the manager's try below.
  await admin.goto('/organization?q=Bert');
  await hydrated(admin);
  const bertHref = await admin.getByRole('link', { name: 'Bert Beta' }).getAttribute('href');

  // The manager: My Organization shows Alpha's member only, and no control they may not use.
  await manager.goto('/organization');
  await hydrated(manager);
  const table = manager.getByTestId('members-table');
  await expect(table).toContainText('Alma Alpha');
  await expect(table).not.toContainText('Bert Beta');
  await expect(table).not.toContainText('Morgan Manager');
  await expect(manager.getByTestId('count-invited')).toHaveText('1');
  await expect(manager.getByTestId('seats-enable')).toHaveCount(0);
  for (const name of ['Import CSV', 'Seats', 'Teams & Regions', 'API keys', 'Activity', 'Pending invitations', '+ Invite']) {
    await expect(manager.getByRole('link', { name, exact: true })).toHaveCount(0);
  }
  await expect(manager.getByLabel('Permission of Alma Alpha')).toHaveCount(0);
  await expect(manager.getByLabel('Team of Alma Alpha')).toHaveCount(0);
  await expect(manager.getByRole('button', { name: 'Export CSV' })).toHaveCount(0);
  const status = manager.getByLabel('Billing status of Alma Alpha');
  await expect(status.locator('option')).toHaveText(['Change…', 'Resend invitation']);

  // They resend Alma's invitation.
  await status.selectOption('resend');
  await manager.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(manager.getByTestId('flash')).toContainText('A new invitation is on its way.');

  // The team's report: Alpha only.
  await manager.getByRole('link', { name: 'Reports' }).first().click();
  await hydrated(manager);
  await expect(manager.getByTestId('report-title')).toHaveText('Your teams');
  await expect(manager.locator('body')).toContainText('Alma');
  await expect(manager.locator('body')).not.toContainText('Bert Beta');

  // Refused: the seats page (403), and a member outside Alpha (404, as if nobody were there).
  const seats = await manager.goto('/organization/seats');
  expect(seats?.status()).toBe(403);
  await expect(manager.getByTestId('forbidden')).toBeVisible();
  const bert = await manager.goto(bertHref!);
  expect(bert?.status()).toBe(404);
  await hydrated(manager);
  await expect(manager.locator('body')).toContainText('This member is not in your organization');
  await expect(manager.locator('body')).not.toContainText('Bert');

  await managerContext.close();
  await adminContext.close();
});
