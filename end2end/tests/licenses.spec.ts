import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { activeMember, fillInvitee, hydrated, newOrganizationAdmin, unique } from './helpers';

// Licenses over time (issue 22): the seat alert, the Licenses page, a member's history.

test('inviting into the last free seats shows the banner and sends exactly one alert mail', async ({ browser }) => {
  // The licenses worker looks every 15 seconds: the mail may take that long.
  test.setTimeout(90_000);
  const { page, context, adminEmail } = await newOrganizationAdmin(browser);
  await page.goto('/organization');
  await hydrated(page);
  await expect(page.getByTestId('seat-banner')).toHaveCount(0);

  // Four of the five Enable seats in one invitation: one crossing, one mail.
  await page.goto('/organization/invite');
  await hydrated(page);
  await page.getByRole('tab', { name: 'Add Multiple Members' }).click();
  for (const n of [1, 2, 3, 4]) {
    await fillInvitee(page, `Seat${n}`, 'Taker', `${unique(`seat${n}`)}@example.com`, true);
    await page.getByRole('button', { name: 'Add Member' }).click();
  }
  await page.getByRole('button', { name: 'Invite 4 Members' }).click();
  await expect(page.getByTestId('invite-done')).toContainText('4 invitations sent');

  await page.goto('/organization');
  await hydrated(page);
  const banner = page.getByTestId('seat-banner');
  await expect(banner).toContainText('Only 1 Enable seat is left.');
  await banner.getByRole('link', { name: 'Request more seats' }).click();
  await expect(page).toHaveURL(/\/organization\/seats#request-title$/);
  await expect(page.getByRole('heading', { name: 'Request more seats' })).toBeVisible();

  const alerts = async () => {
    await page.goto('/organization/mailbox');
    return page.getByTestId('mailbox').locator('li', { hasText: 'Only 1 Enable seat is left.' })
      .filter({ hasText: `to ${adminEmail}` }).count();
  };
  await expect.poll(alerts, { timeout: 45_000, intervals: [2_000] }).toBe(1);
  // Another round of the worker sends nothing more for the same crossing.
  await page.waitForTimeout(16_000);
  expect(await alerts()).toBe(1);
  await context.close();
});

test('the Licenses page answers for a past date and exports a workbook and a CSV', async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await page.goto('/organization/invite');
  await hydrated(page);
  const email = `${unique('ledger')}@example.com`;
  await fillInvitee(page, 'Lena', 'Ledger', email, true);
  await page.getByRole('button', { name: 'Invite Member' }).click();
  await expect(page.getByTestId('invite-done')).toContainText('Invitation sent');

  await page.goto('/organization/seats');
  await page.getByRole('link', { name: /Licenses over time/ }).click();
  await expect(page).toHaveURL(/\/organization\/licenses$/);
  await expect(page).toHaveTitle(/Licenses/);
  const today = page.getByTestId('licenses-on-date');
  await expect(today.getByTestId('enable-bought')).toHaveText('5');
  await expect(today.getByTestId('enable-held')).toHaveText('1');
  await expect(today.getByTestId('enable-free')).toHaveText('4');
  await expect(page.getByTestId('ledger-lines')).toContainText(email);
  await expect(page.getByTestId('ledger-lines')).toContainText('Seat granted on a page');
  await expect(page.getByTestId('monthly-peaks').getByRole('row')).toHaveCount(13);

  // Yesterday the organization did not exist yet: nothing bought, nothing held. The date
  // form is a plain GET form, so this works before hydration too.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('On the date').fill(yesterday);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(new RegExp(`as_of=${yesterday}`));
  await expect(page.getByTestId('licenses-on-date')).toContainText(`Licenses at the end of ${yesterday}`);
  await expect(page.getByTestId('enable-bought')).toHaveText('0');
  await expect(page.getByTestId('enable-held')).toHaveText('0');

  // The filters narrow the events; the exports hold what they match.
  await page.goto('/organization/licenses?event=granted');
  await hydrated(page);
  await expect(page.getByTestId('ledger-lines')).not.toContainText('Seats bought changed');
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(csv.suggestedFilename()).toMatch(/^roster-licenses-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = readFileSync(await csv.path(), 'utf8');
  expect(text.split('\r\n')[0]).toBe('at (UTC),member,seat,event,what happened,by,detail');
  expect(text).toContain(email);
  expect(text).not.toContain('bought');
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export Excel' }).click(),
  ]);
  expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
  // A zip (the workbook's container); the server tests open it with calamine.
  expect(readFileSync(await xlsx.path()).subarray(0, 2).toString()).toBe('PK');
  await context.close();
});

test("a member's page shows the lesson that used their license", async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  const { member, context: memberContext, email } = await activeMember(browser, page, 'Uma', 'Used');

  await page.goto('/organization');
  await hydrated(page);
  await page.getByRole('link', { name: 'Uma Used' }).click();
  await hydrated(page);
  await page.getByLabel('Assign a program').selectOption('meddpicc-masterclass');
  await page.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(page.getByTestId('flash')).toContainText('MEDDPICC Masterclass assigned');
  const memberPage = page.url();

  await member.goto('/my-programs/meddpicc-masterclass');
  for (const after of ['8.33 % complete', '16.66 % complete']) {
    await hydrated(member);
    await member.getByRole('button', { name: /^Mark as completed/ }).first().click();
    await expect(member.getByTestId('progress-text')).toHaveText(after);
  }

  await page.goto(memberPage);
  await hydrated(page);
  const history = page.getByTestId('license-history');
  const used = history.getByRole('row', { name: /License used by a lesson/ });
  await expect(used).toContainText('MEDDPICC Masterclass reached 16.66 %');
  await expect(used).toContainText(email);
  await expect(history).toContainText('Seat granted on a page');

  // Deactivating on a date says beforehand that the used license stays counted.
  await expect(page.getByRole('region', { name: 'Deactivate on a date' })).toContainText('stays counted');
  const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Deactivate on', { exact: true }).fill(nextWeek);
  await page.getByRole('button', { name: 'Schedule' }).click();
  await expect(page.getByTestId('flash')).toContainText(`Deactivation scheduled for ${nextWeek}`);
  await expect(page.getByTestId('deactivates-on')).toHaveText(`Deactivates on ${nextWeek}`);
  await page.goto('/organization/activity');
  await expect(page.getByTestId('activity-table').getByText(/Scheduled the deactivation of/).first()).toBeVisible();
  await memberContext.close();
  await context.close();
});
