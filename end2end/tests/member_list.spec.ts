import { expect, test } from './fixtures';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEMO_ADMIN, DEMO_PASSWORD, hydrated, newOrganizationAdmin, signIn, unique } from './helpers';

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

test('changing a permission or a team in the list asks first; acting on all matching members says how many', async ({ browser }) => {
  const { page, context, orgName } = await newOrganizationAdmin(browser);
  // 30 invited members, imported with the operator's command line.
  const rows = Array.from({ length: 30 }, (_, i) =>
    `EXT${String(i + 1).padStart(5, '0')},Pia${i},Perm,pia${i}.${unique('p')}@example.com,Rep,FALSE,FALSE,`);
  const file = path.join(os.tmpdir(), `${unique('members')}.csv`);
  fs.writeFileSync(file, ['user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments', ...rows].join('\n'));
  execFileSync(process.env.ROSTER_BIN!, ['csv', 'import', file, '--org', orgName], { env: process.env, encoding: 'utf8' });

  await page.goto('/organization?q=Pia0');
  await hydrated(page);
  const permission = page.getByLabel('Permission of Pia0 Perm');
  await permission.selectOption('admin');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Make Pia0 Perm an administrator?');
  await expect(dialog).toContainText('manage the whole organization');
  await expect(permission).toHaveValue('member');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(permission).toHaveValue('member');
  await permission.selectOption('admin');
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('flash')).toContainText('Permission changed to Administrator.');
  await expect(page.getByLabel('Permission of Pia0 Perm')).toHaveValue('admin');

  // All matching: the bulk action names the number and asks.
  await page.goto('/organization');
  await hydrated(page);
  await page.getByLabel('Select all members on this page').check();
  await page.getByRole('button', { name: /Select all 31 matching/ }).click();
  await expect(page.getByTestId('bulk-bar')).toContainText('All 31 matching members selected');
  let question = '';
  page.once('dialog', (d) => { question = d.message(); d.dismiss(); });
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Resend invitations' }).click();
  await expect.poll(() => question).toContain('all 31 matching members');
  await expect(page.getByTestId('flash')).not.toContainText('new invitations sent');
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Resend invitations' }).click();
  await expect(page.getByTestId('flash')).toContainText('30 new invitations sent');
  await context.close();

  // A team change asks too (the demo organization has teams); cancelled, nothing moves.
  const demo = await browser.newContext();
  const admin = await demo.newPage();
  await signIn(admin, DEMO_ADMIN, DEMO_PASSWORD);
  await expect(admin).toHaveURL(/\/organization$/);
  await hydrated(admin);
  const team = admin.getByLabel('Team of Ava Hughes');
  const before = await team.inputValue();
  await team.selectOption({ index: before === '' ? 1 : 0 });
  await expect(admin.getByRole('dialog')).toContainText('Move Ava Hughes to');
  await expect(team).toHaveValue(before);
  await admin.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(team).toHaveValue(before);
  await demo.close();
});

test('a broad search says "10,000+" instead of counting every match, and offers them all', async ({ browser }) => {
  test.setTimeout(180_000);
  const { page, context, orgName } = await newOrganizationAdmin(browser);
  // 10,001 invited members named "Many…", imported with the operator's command line.
  const tag = unique('m');
  const rows = Array.from({ length: 10_001 }, (_, i) =>
    `EXT${String(i + 1).padStart(5, '0')},Many${i},Zed,many${i}.${tag}@example.com,Rep,FALSE,FALSE,`);
  const file = path.join(os.tmpdir(), `${unique('many')}.csv`);
  fs.writeFileSync(file, ['user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments', ...rows].join('\n'));
  execFileSync(process.env.ROSTER_BIN!, ['csv', 'import', file, '--org', orgName], { env: process.env, encoding: 'utf8' });

  await page.goto('/organization?q=many');
  await expect(page.getByTestId('members-total')).toContainText('10,000+ members match · showing 25');
  await hydrated(page);
  await page.getByLabel('Select all members on this page').check();
  await page.getByRole('button', { name: 'Select all 10,000+ matching' }).click();
  await expect(page.getByTestId('bulk-bar')).toContainText('All 10,000+ matching members selected');
  // Without a search the count is exact.
  await page.goto('/organization');
  await expect(page.getByTestId('members-total')).toContainText('10,002 members');
  await context.close();
});
