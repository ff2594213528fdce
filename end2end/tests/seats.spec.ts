import { execFileSync } from 'node:child_process';
import { expect, test } from './fixtures';
import { activeMember, fillInvitee, hydrated, newOrganizationAdmin, unique } from './helpers';

test('the 10 % rule: a used license keeps its program, its seat, and its count after deactivation', async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  const { member, context: memberContext } = await activeMember(browser, page, 'Lea', 'Learner');
  await hydrated(member);
  await expect(member.getByText('No programs are assigned to you yet')).toBeVisible();

  // The administrator opens the member's page from the list and assigns two programs.
  await page.goto('/organization');
  await hydrated(page);
  await page.getByRole('link', { name: 'Lea Learner' }).click();
  await expect(page).toHaveURL(/\/organization\/members\/\d+$/);
  await hydrated(page);
  for (const [slug, name] of [['meddpicc-masterclass', 'MEDDPICC Masterclass'], ['meddicc-value-program', 'MEDDICC Value Program']]) {
    await page.getByLabel('Assign a program').selectOption(slug);
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await expect(page.getByTestId('flash')).toContainText(`${name} assigned`);
    await hydrated(page);
  }
  await expect(page.getByTestId('member-programs').getByRole('row')).toHaveCount(3);

  // The member completes lessons until the Masterclass passes 10 %.
  await member.goto('/my-programs');
  await hydrated(member);
  await member.getByRole('link', { name: 'MEDDPICC Masterclass' }).click();
  await expect(member).toHaveURL(/\/my-programs\/meddpicc-masterclass$/);
  await hydrated(member);
  await member.getByRole('button', { name: /^Mark as completed/ }).first().click();
  await expect(member.getByTestId('progress-text')).toHaveText('8.33 % complete');
  await hydrated(member);
  await member.getByRole('button', { name: /^Mark as completed/ }).first().click();
  await expect(member.getByTestId('progress-text')).toHaveText('16.66 % complete');
  await member.goto('/my-programs');
  await expect(member.getByTestId('my-programs')).toContainText('16.66 % complete');

  // The used program cannot be unassigned (disabled, with the reason); the other one can.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Unassign MEDDPICC Masterclass' })).toBeDisabled();
  await expect(page.getByText('Progress is 16.66 %: this license is used and cannot be freed.')).toBeVisible();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Unassign MEDDICC Value Program' }).click();
  await expect(page.getByTestId('flash')).toContainText('MEDDICC Value Program unassigned');
  await hydrated(page);
  await expect(page.getByTestId('member-programs').getByRole('row')).toHaveCount(2);
  // Removing the Enable seat is refused, with the reason.
  await expect(page.getByRole('button', { name: 'Remove Enable seat' })).toBeDisabled();
  await expect(page.getByTestId('seat-enable-reason')).toContainText('this license is used and the Enable seat cannot be freed');

  // After deactivation the seats page shows the seat as kept because the license was used.
  await page.goto('/organization');
  await hydrated(page);
  await page.getByLabel('Billing status of Lea Learner').selectOption('deactivate');
  await expect(page.getByTestId('confirm-text')).toContainText('stays counted because the license is used');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('flash')).toContainText('Deactivated');
  await page.getByRole('link', { name: 'Seats', exact: true }).click();
  await expect(page).toHaveURL(/\/organization\/seats$/);
  await hydrated(page);
  await expect(page.getByTestId('enable-held')).toHaveText('1');
  await expect(page.getByTestId('enable-used')).toHaveText('1');
  await expect(page.getByTestId('seat-holders').getByRole('row', { name: /Lea Learner/ }))
    .toContainText('Kept by a deactivated member because the license was used: progress reached 16.66 % in MEDDPICC Masterclass.');
  await memberContext.close();
  await context.close();
});

test('seats bought are the vendor\'s: an administrator asks for more, the vendor grants; unused licenses are freed after a preview', async ({ browser }) => {
  const { page, context, orgName } = await newOrganizationAdmin(browser);
  await page.goto('/organization/invite');
  await hydrated(page);
  await fillInvitee(page, 'Una', 'Unused', `${unique('una')}@example.com`, true);
  await page.getByRole('button', { name: 'Invite Member' }).click();
  await expect(page.getByTestId('invite-done')).toContainText('Invitation sent');

  await page.goto('/organization/seats');
  await hydrated(page);
  await expect(page.getByTestId('enable-held')).toHaveText('1');
  await expect(page.getByTestId('seat-holders')).toContainText('Reserved for an invited member');
  // Nothing on the page changes seats bought.
  await expect(page.getByRole('button', { name: 'Save seat counts' })).toHaveCount(0);
  await expect(page.locator('input[name="enable_seats"]')).toHaveCount(0);

  // Ask the vendor for more: the request is listed.
  await page.getByLabel('Seat', { exact: true }).selectOption('enable');
  await page.getByLabel('How many more').fill('7');
  await page.getByLabel('Note for the vendor (optional)').fill('For the new EMEA team');
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.getByTestId('request-status')).toContainText('Request sent to the vendor');
  await expect(page.getByTestId('seat-requests')).toContainText('7 Enable');
  await expect(page.getByTestId('seat-requests')).toContainText('Requested');
  await expect(page.getByTestId('enable-bought')).toHaveText('5');

  // The request reached the vendor's address (the development mailbox shows every mail).
  await page.goto('/organization/mailbox');
  await expect(page.getByTestId('mailbox')).toContainText('7 more Enable seats requested');

  // The vendor raises the seats with the operator's command; the request is granted.
  execFileSync(process.env.ROSTER_BIN!, ['org', 'set-seats', orgName, '--enable', '12'],
    { env: process.env, encoding: 'utf8' });
  await page.goto('/organization/seats');
  await hydrated(page);
  await expect(page.getByTestId('enable-bought')).toHaveText('12');
  await expect(page.getByTestId('enable-free')).toHaveText('11');
  await expect(page.getByTestId('seat-requests')).toContainText('Granted');
  await page.goto('/organization/activity');
  await expect(page.getByText('the vendor (command line)').first()).toBeVisible();

  // Free unused licenses: preview, then free.
  await page.goto('/organization');
  await hydrated(page);
  await page.getByLabel('Select Una Unused').check();
  await page.getByRole('button', { name: 'Free unused licenses' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page.getByTestId('free-list')).toContainText('Una Unused');
  await page.getByRole('button', { name: 'Free 1 license' }).click();
  await expect(page.getByTestId('flash')).toContainText('1 Enable seat freed (Una Unused)');
  await expect(page.getByTestId('seats-enable-used')).toHaveText('0');
  await context.close();
});

test('an API key is shown once, reports progress, and stops working when revoked; reports need an Enable seat', async ({ browser, request }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await page.goto('/organization/reports');
  await expect(page.getByTestId('reports-need-seat')).toContainText('Reports need an Enable seat');

  await page.goto('/organization/api-keys');
  await hydrated(page);
  await expect(page.getByText('No keys yet.')).toBeVisible();
  await page.getByLabel('Name').fill('Course player');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-key').innerText()).trim();
  expect(key).toMatch(/^rst_[0-9a-f]{64}$/);
  await expect(page.getByTestId('api-keys')).toContainText('Course player');
  await expect(page.getByTestId('api-keys')).not.toContainText(key);

  const report = { email: 'nobody@example.com', program: 'meddpicc-masterclass', progress: 20 };
  const unknown = await request.post('/api/v1/progress', { headers: { Authorization: `Bearer ${key}` }, data: report });
  expect(unknown.status()).toBe(404);
  expect((await unknown.json()).error).toContain('No member of your organization');

  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Revoke Course player' }).click();
  await expect(page.getByTestId('api-keys')).toContainText('Revoked');
  const revoked = await request.post('/api/v1/progress', { headers: { Authorization: `Bearer ${key}` }, data: report });
  expect(revoked.status()).toBe(401);
  await context.close();
});
