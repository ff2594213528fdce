import { expect, test } from './fixtures';
import { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { DEMO_ADMIN, DEMO_PASSWORD, hydrated, newOrganizationAdmin, signIn } from './helpers';

/** Every table on the page fits its container, and every control in it is in the window. */
async function fits(page: Page, what: string) {
  const tables = await page.evaluate(() => [...document.querySelectorAll('table')].map((t) => ({
    table: t.getAttribute('data-testid') ?? t.className,
    width: t.scrollWidth,
    container: (t.parentElement as HTMLElement).clientWidth,
    cut: [...t.querySelectorAll('button, select, a, input')]
      .filter((c) => { const r = c.getBoundingClientRect(); return r.width > 0 && (r.right > window.innerWidth || r.left < 0); })
      .map((c) => c.getAttribute('aria-label') ?? c.textContent),
  })));
  expect(tables.length, `${what}: tables`).toBeGreaterThan(0);
  for (const t of tables) {
    expect(t.width, `${what}: ${t.table} is wider than its container`).toBeLessThanOrEqual(t.container + 1);
    expect(t.cut, `${what}: ${t.table} has controls out of view`).toEqual([]);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${what}: the page scrolls sideways`)
    .toBeLessThanOrEqual(page.viewportSize()!.width);
}

for (const width of [1024, 1280, 1366]) {
  test(`at ${width} pixels, My Organization, the change-set preview and the import history fit`, async ({ browser }) => {
    // The demo organization: 21 members in every status, long addresses, teams.
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await signIn(page, DEMO_ADMIN, DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/organization$/);
    await hydrated(page);
    await fits(page, 'My Organization');
    // Every row's billing menu can be reached.
    const menu = page.getByLabel('Billing status of Dana Whitfield');
    await menu.scrollIntoViewIfNeeded();
    const box = (await menu.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(width);

    // The change-set preview of the export with every job title made long (nothing applied).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8').split('\r\n').filter((l) => l)
      .map((l, i) => i === 0 ? l : l.replace(/Account Executive|Sales Engineer|Account Manager/, 'Senior Strategic Account Executive for Enterprise Accounts North and the Nordics'));
    await page.goto('/organization/import');
    await hydrated(page);
    await page.getByLabel('Choose a file').setInputFiles({ name: 'team-roster-changes-for-the-first-quarter-from-the-people-team.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n') + '\r\n') });
    await expect(page.getByTestId('plan-summary')).toContainText('changed');
    await fits(page, 'the change-set preview');
    // The other tables of an administrator's pages, at the same width.
    for (const path of ['/organization/invitations', '/organization/seats', '/organization/reports', '/organization/activity', '/organization/teams']) {
      await page.goto(path);
      await hydrated(page);
      await fits(page, path);
    }
    await context.close();
  });
}

test('the import history fits at 1280 and 1366, with long file names and addresses', async ({ browser }) => {
  const { page } = await newOrganizationAdmin(browser);
  await page.goto('/organization/import');
  await hydrated(page);
  const csv = 'user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\r\n'
    + 'EXT30001,Maximiliane,Oberschwarzenberger-Lindqvist,maximiliane.oberschwarzenberger-lindqvist@enterprise-accounts.example.com,Senior Strategic Account Executive,FALSE,FALSE,\r\n';
  await page.getByLabel('Choose a file').setInputFiles({ name: 'new-hires-emea-and-north-america-q1-2027-final-version-approved-by-hr (2).csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Import 1 member' }).click();
  await expect(page.getByTestId('import-outcome')).toContainText('Imported 1 member');
  for (const width of [1280, 1366]) {
    await page.setViewportSize({ width, height: 900 });
    await page.reload();
    await hydrated(page);
    await expect(page.getByTestId('import-history')).toContainText('approved-by-hr');
    await fits(page, `the import history at ${width}`);
  }
});
