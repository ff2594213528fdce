import { expect, test } from './fixtures';
import { fillInvitee, hydrated, invitationLinkFromMailbox, newOrganizationAdmin, unique } from './helpers';

test('invite one member, then three more in one go; one accepts and becomes Active', async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await expect(page.getByTestId('count-invited')).toHaveText('0');

  await page.getByRole('link', { name: '+ Invite' }).click();
  await expect(page).toHaveURL(/\/organization\/invite$/);
  await hydrated(page);
  // Errors show as the person leaves a field, from the shared rules.
  await page.getByLabel('Email address').fill('not-an-address');
  await page.getByLabel('Email address').blur();
  await expect(page.locator('#invite-email-error')).toContainText('name@company.com');

  const single = `${unique('sam')}@example.com`;
  await fillInvitee(page, 'Sam', 'Single', single, true);
  await expect(page.getByTestId('enable-free')).toHaveText('4 of 5 free after these invitations');
  await page.getByRole('button', { name: 'Invite Member' }).click();
  await expect(page.getByTestId('invite-done')).toContainText('Invitation sent');

  await page.getByRole('tab', { name: 'Add Multiple Members' }).click();
  const emails = [0, 1, 2].map((n) => `${unique(`multi${n}`)}@example.com`);
  for (const [n, email] of emails.entries()) {
    await fillInvitee(page, `Multi${n}`, 'Member', email);
    await page.getByRole('button', { name: 'Add Member' }).click();
  }
  await expect(page.getByTestId('invite-list').locator('> li')).toHaveCount(3);
  // The list stays editable: take the second back into the form and add it again.
  await page.getByRole('button', { name: 'Edit Multi1' }).click();
  await expect(page.getByLabel('First name')).toHaveValue('Multi1');
  await page.getByLabel('Last name').fill('Edited');
  await page.getByRole('button', { name: 'Add Member' }).click();
  await expect(page.getByTestId('invite-list')).toContainText('Multi1 Edited');
  await page.getByRole('button', { name: 'Invite 3 Members' }).click();
  await expect(page.getByTestId('invite-done')).toContainText('3 invitations sent');

  await page.goto('/organization');
  await expect(page.getByTestId('count-invited')).toHaveText('4');
  await expect(page.getByTestId('seats-enable-used')).toHaveText('1');

  // The invitation arrives in the development mailbox; the person opens it elsewhere.
  const link = await invitationLinkFromMailbox(page, single);
  const invitee = await browser.newContext();
  const memberPage = await invitee.newPage();
  await memberPage.goto(link);
  await hydrated(memberPage);
  await memberPage.getByLabel('New password').fill('sams long passphrase');
  await memberPage.getByLabel('Type the password again').fill('sams long passphrase');
  await memberPage.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(memberPage).toHaveURL(/\/my-programs$/);
  await expect(memberPage.getByRole('heading', { name: 'My programs' })).toBeVisible();

  await page.goto('/organization');
  await expect(page.getByTestId('count-active')).toHaveText('2');
  await expect(page.getByTestId('count-invited')).toHaveText('3');
  await expect(page.getByRole('row', { name: /Sam Single/ })).toContainText('Active');
  await invitee.close();
  await context.close();
});

test('a deactivated member is rejected on their next request; the confirmation states the seat outcome', async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await page.goto('/organization/invite');
  await hydrated(page);
  const email = `${unique('dee')}@example.com`;
  await fillInvitee(page, 'Dee', 'Active', email, true);
  await page.getByRole('button', { name: 'Invite Member' }).click();
  await expect(page.getByTestId('invite-done')).toContainText('Invitation sent');
  const link = await invitationLinkFromMailbox(page, email);

  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await member.goto(link);
  await hydrated(member);
  await member.getByLabel('New password').fill('dees long passphrase');
  await member.getByLabel('Type the password again').fill('dees long passphrase');
  await member.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(member).toHaveURL(/\/my-programs$/);

  await page.goto('/organization');
  await hydrated(page);
  await expect(page.getByTestId('seats-enable-used')).toHaveText('1');
  await page.getByLabel('Billing status of Dee Active').selectOption('deactivate');
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page.getByTestId('confirm-text')).toContainText('Their Enable seat returns to the pool');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('flash')).toContainText('Deactivated');
  await expect(page.getByTestId('count-inactive')).toHaveText('1');
  await expect(page.getByTestId('seats-enable-used')).toHaveText('0');

  // The member's open page: the next request finds the session gone.
  await member.reload();
  await expect(member).toHaveURL(/\/sign-in/);

  // Reactivate gives the seat back.
  await page.getByLabel('Billing status of Dee Active').selectOption('reactivate');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('flash')).toContainText('Reactivated');
  await expect(page.getByTestId('seats-enable-used')).toHaveText('1');

  await page.goto('/organization/activity');
  await expect(page.getByTestId('activity-table')).toContainText('Deactivated');
  await expect(page.getByTestId('activity-table')).toContainText('Reactivated');
  await memberContext.close();
  await context.close();
});

test('pending invitations can be resent and revoked', async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await page.goto('/organization/invite');
  await hydrated(page);
  const email = `${unique('pat')}@example.com`;
  await fillInvitee(page, 'Pat', 'Pending', email, true);
  await page.getByRole('button', { name: 'Invite Member' }).click();
  await expect(page.getByTestId('invite-done')).toContainText('Invitation sent');
  const firstLink = await invitationLinkFromMailbox(page, email);

  await page.goto('/organization/invitations');
  await hydrated(page);
  const row = page.getByTestId('invitations-table').getByRole('row', { name: /Pat Pending/ });
  await expect(row).toContainText('Kept in the development mailbox');
  await row.getByRole('button', { name: 'Resend to Pat Pending' }).click();
  await expect(page.getByTestId('flash')).toContainText('new invitation is on its way');

  // The old link no longer works.
  const other = await browser.newContext();
  const stale = await other.newPage();
  await stale.goto(firstLink);
  await expect(stale.getByTestId('invitation-closed')).toBeVisible();
  await other.close();

  page.once('dialog', (dialog) => dialog.accept());
  await page.getByTestId('invitations-table').getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByTestId('flash')).toContainText('revoked');
  await page.goto('/organization');
  await expect(page.getByTestId('count-inactive')).toHaveText('1');
  await expect(page.getByTestId('seats-enable-used')).toHaveText('0');
  await context.close();
});
