import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import { DEMO_ADMIN, DEMO_PASSWORD, hydrated, signIn, unique } from './helpers';

test('create a region and two teams, bulk-assign three members, read and download the team report', async ({ page }) => {
  await signIn(page, DEMO_ADMIN, DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/organization$/);
  await page.getByRole('link', { name: 'Teams & Regions' }).click();
  await expect(page).toHaveURL(/\/organization\/teams$/);
  await hydrated(page);

  const region = unique('Region');
  await page.getByLabel('Region name').fill(region);
  await page.getByRole('button', { name: 'Add region' }).click();
  await expect(page.getByTestId('flash')).toContainText(`Region ${region} added.`);
  await hydrated(page);
  for (const team of ['Alpha', 'Beta']) {
    await page.getByLabel('Region', { exact: true }).selectOption({ label: region });
    await page.getByLabel('Team name').fill(team);
    await page.getByRole('button', { name: 'Add team' }).click();
    await expect(page.getByTestId('flash')).toContainText(`Team ${team} added.`);
    await hydrated(page);
  }
  const section = page.getByRole('region', { name: `Region ${region}` });
  await expect(section).toContainText('2 teams · 0 members');

  // Rename Beta, then delete it; the region still has Alpha, so it cannot be deleted.
  await section.getByRole('button', { name: 'Rename team Beta' }).click();
  await section.getByLabel('New name for team Beta').fill('Gamma');
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('flash')).toContainText('Team renamed to Gamma.');
  await hydrated(page);
  page.once('dialog', (dialog) => dialog.accept());
  await section.getByRole('button', { name: 'Delete team Gamma' }).click();
  await expect(page.getByTestId('flash')).toContainText('Team Gamma deleted.');
  await hydrated(page);
  page.once('dialog', (dialog) => dialog.accept());
  await section.getByRole('button', { name: `Delete region ${region}` }).click();
  await expect(page.getByTestId('flash')).toContainText(`${region} has 1 team: delete it first, then the region.`);

  // Bulk Team Assign on a selection of the member list.
  await page.goto('/organization');
  await hydrated(page);
  for (const name of ['Ava Hughes', 'Liam Baker', 'Mia Schneider']) {
    await page.getByLabel(`Select ${name}`).check();
  }
  await expect(page.getByTestId('bulk-bar')).toContainText('3 selected');
  await page.getByLabel('Team for the selected members').selectOption({ label: `${region} / Alpha` });
  await page.getByRole('button', { name: 'Bulk Team Assign' }).click();
  await expect(page.getByTestId('flash')).toContainText(`3 members moved to ${region} / Alpha.`);
  await hydrated(page);
  await expect(page.getByLabel('Team of Liam Baker')).toHaveValue(/\d+/);

  // The team's report: the three of them, in the chart and in the tables.
  await page.goto('/organization/teams');
  await hydrated(page);
  await expect(section).toContainText('1 team · 3 members');
  await section.getByRole('row', { name: /Alpha/ }).getByRole('link', { name: 'Report' }).click();
  await expect(page.getByTestId('report-title')).toHaveText(`Team ${region} / Alpha`);
  await hydrated(page);
  // Ava 45 % and 12 %, Liam 8 %, Mia 100 % and 62 %.
  const distribution = page.getByTestId('distribution-table');
  await expect(distribution.getByRole('row', { name: '1–9 %' })).toContainText('1');
  await expect(distribution.getByRole('row', { name: '10–49 %' })).toContainText('2');
  await expect(distribution.getByRole('row', { name: '50–99 %' })).toContainText('1');
  await expect(distribution.getByRole('row', { name: '100 %' })).toContainText('1');
  await expect(page.getByTestId('distribution-chart')).toHaveAttribute('aria-label', /10–49 %: 2/);
  const members = page.getByTestId('report-members');
  await expect(members.getByRole('row')).toHaveCount(4);
  await expect(members.getByRole('row', { name: /Ava Hughes/ })).toContainText('45 %');
  await expect(members.getByRole('row', { name: /Liam Baker/ })).toContainText('8 %');
  await expect(members.getByRole('row', { name: /Mia Schneider/ })).toContainText('100 %');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download member table (CSV)' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^report-team-\d+-members\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv.trim().split('\r\n')).toHaveLength(4);
  expect(csv).toContain('ava.hughes@northwind.example');
  expect(csv).toContain('liam.baker@northwind.example');
  expect(csv).toContain(`${region} / Alpha`);

  const [summary] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download report (CSV)' }).click(),
  ]);
  expect(readFileSync(await summary.path(), 'utf8')).toContain('progress distribution,10–49 %,2');
});
