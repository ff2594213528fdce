import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { hydrated, newOrganizationAdmin } from './helpers';

/** A fixture LibreOffice wrote (fixtures/spreadsheets/make.sh). */
const fixture = (name: string) => `${__dirname}/../../fixtures/spreadsheets/${name}`;

test('an HR workbook with its own column names: matched, remembered, imported', async ({ browser }) => {
  const { page } = await newOrganizationAdmin(browser);
  await page.goto('/organization/import');
  await hydrated(page);

  // Dropped as a person drops it: the workbook reader is loaded on demand.
  const bytes = [...readFileSync(fixture('hr-export.xlsx'))];
  const dataTransfer = await page.evaluateHandle((b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'hr-export.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
    return dt;
  }, bytes);
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });

  // The matching step: each column with its first values and a suggestion.
  const matching = page.getByTestId('column-matching');
  await expect(matching).toBeVisible();
  await expect(page.getByLabel('E-mail Address')).toHaveValue('email');
  await expect(page.getByLabel('Employee ID')).toHaveValue('user_id');
  await expect(page.getByLabel('Enable seat')).toHaveValue('mos_enable');
  await expect(page.getByLabel('Personnel number')).toHaveValue('');
  await expect(matching).toContainText('maria.garcia@example.com');
  // A required column left out is said, and stops the step.
  await page.getByLabel('Last Name').selectOption('');
  await expect(page.getByTestId('matching-problem')).toContainText('Choose a column of your file for last_name');
  await expect(page.getByRole('button', { name: 'Continue with these columns' })).toBeDisabled();
  await page.getByLabel('Last Name').selectOption('last_name');
  // The job column is the person's to ignore.
  await page.getByLabel('Job', { exact: true }).selectOption('');
  await page.getByRole('button', { name: 'Continue with these columns' }).click();

  await expect(page.getByTestId('notices')).toContainText('Read from the sheet');
  await expect(page.getByTestId('notices')).toContainText('Excel workbook (.xlsx)');
  await expect(page.getByTestId('check-summary')).toContainText('Checked 4 rows');
  await expect(page.getByTestId('check-summary')).toContainText('4 ready to import, 0 with problems');
  // Accents arrive intact.
  await expect(page.getByTestId('preview')).toContainText('Ødegård');
  await expect(page.getByTestId('preview')).toContainText("L'Œuvre");
  await page.getByRole('button', { name: 'Import 4 members' }).click();
  await expect(page.getByTestId('import-outcome')).toContainText('Imported 4 members');

  // The next file from HR is matched the same way: the ignored job column stays ignored.
  await page.reload();
  await hydrated(page);
  await page.getByLabel('Choose a file').setInputFiles(fixture('hr-export.ods'));
  await expect(page.getByLabel('Job', { exact: true })).toHaveValue('');
  await expect(page.getByLabel('E-mail Address')).toHaveValue('email');
  // Its rows are members now: the page offers to review what the file changes for them.
  await page.getByRole('button', { name: 'Continue with these columns' }).click();
  await expect(page.getByTestId('matched-members')).toContainText('4 rows of this file are members already');
  await page.getByRole('button', { name: 'Review what this file changes for them' }).click();
  await expect(page.getByTestId('plan-summary')).toContainText('0 new, 0 changed, 4 unchanged');
});

test('a workbook of several sheets: the members are read from the sheet picked', async ({ browser }) => {
  const { page } = await newOrganizationAdmin(browser);
  await page.goto('/organization/import');
  await hydrated(page);
  for (const name of ['two-sheets.xlsx', 'two-sheets.ods']) {
    await page.getByLabel('Choose a file').setInputFiles(fixture(name));
    // The first sheet is a cover page: read first, and not a list of members.
    const sheet = page.getByLabel('Sheet');
    await expect(sheet).toHaveValue('0');
    await expect(sheet.locator('option')).toHaveText(['Read me', 'Members']);
    await expect(page.getByTestId('check-summary')).toHaveCount(0);
    await sheet.selectOption({ label: 'Members' });
    await expect(page.getByTestId('notices')).toContainText('Members');
    await expect(page.getByTestId('check-summary')).toContainText('4 ready to import, 0 with problems');
    await expect(page.getByTestId('preview')).toContainText('Ødegård');
  }
});

test('files that are not lists are named, with what to do', async ({ browser }) => {
  const { page } = await newOrganizationAdmin(browser);
  await page.goto('/organization/import');
  await hydrated(page);
  for (const [name, said] of [
    ['protected.xlsx', 'protected with a password'],
    ['template.pdf', 'PDF document'],
  ]) {
    await page.getByLabel('Choose a file').setInputFiles(fixture(name));
    await expect(page.getByTestId('file-problems')).toContainText(said);
  }
  // UTF-16 text and old Excel files read as they are.
  for (const name of ['template.utf16.txt', 'template.xls']) {
    await page.getByLabel('Choose a file').setInputFiles(fixture(name));
    await expect(page.getByTestId('check-summary')).toContainText('4 ready to import');
  }
});

/** Runs SQL on the test database (set-up the pages cannot do: progress at 15 %). */
function sql(statement: string) {
  execFileSync('psql', [process.env.DATABASE_URL!, '-v', 'ON_ERROR_STOP=1', '-q', '-c', statement]);
}

test('the roster round trip: export, change three cells and delete a row, preview, apply, undo', async ({ browser }) => {
  const { page, orgName } = await newOrganizationAdmin(browser);
  const tag = orgName.toLowerCase();
  const org = `(SELECT id FROM organizations WHERE name = '${orgName}')`;
  sql(`INSERT INTO regions (organization_id, name) VALUES (${org}, 'EMEA')`);
  sql(`INSERT INTO teams (organization_id, region_id, name)
       SELECT ${org}, r.id, t FROM regions r, unnest(ARRAY['Iberia', 'DACH']) t WHERE r.organization_id = ${org}`);
  sql(`INSERT INTO members (organization_id, external_id, first_name, last_name, email, job_title, permission, status,
                            password_hash, enable_seat, team_id)
       SELECT ${org}, 'EXT0000' || n, (ARRAY['María', 'Jürgen', 'Amélie'])[n], (ARRAY['García', 'Weiß', 'Dupont'])[n],
              'm' || n || '.${tag}@example.com', 'Account Executive', 'member', 'active', 'x', n <= 2,
              (SELECT t.id FROM teams t WHERE t.name = 'Iberia' AND t.organization_id = ${org})
         FROM generate_series(1, 3) n`);
  // m1 is at 15 % of a program: its license is used.
  sql(`INSERT INTO enrollments (member_id, program_id, progress_basis_points)
       SELECT id, 4, 1500 FROM members WHERE email = 'm1.${tag}@example.com'`);

  await page.goto('/organization');
  await hydrated(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const exported = readFileSync(await download.path(), 'utf8');
  expect(exported.split('\r\n')[0]).toBe('user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments,permission,region,team,status,deactivate_on');
  expect(exported).toContain('Weiß');

  // Three cells changed, a row deleted, and a program at 15 % removed.
  const lines = exported.split('\r\n').filter((l) => l && !l.includes(`m3.${tag}`)).map((l) => {
    if (l.includes(`m2.${tag}`)) return l.replace('Account Executive', 'Sales Manager').replace('TRUE,FALSE', 'TRUE,TRUE');
    if (l.includes(`m1.${tag}`)) return l.replace('García', 'García López').replace('meddpicc-masterclass', '');
    return l;
  });
  await page.goto('/organization/import');
  await hydrated(page);
  await page.getByLabel('Choose a file').setInputFiles({ name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n') + '\r\n') });

  const plan = page.getByTestId('plan');
  await expect(page.getByTestId('plan-summary')).toContainText('0 new, 1 changed, 1 unchanged, 0 to deactivate, 1 refused');
  await expect(page.getByTestId('plan-summary')).toContainText('Opportunity: 2 free → 1 free');
  const m2 = plan.locator('tr', { hasText: `m2.${tag}` });
  await expect(m2).toContainText('job_title: “Account Executive” → “Sales Manager”');
  await expect(m2).toContainText('mos_opportunity: “FALSE” → “TRUE”');
  const m1 = plan.locator('tr', { hasText: `m1.${tag}` });
  await expect(m1).toHaveAttribute('data-action', 'refused');
  await expect(m1).toContainText('this license is used');
  await expect(page.getByRole('button', { name: 'Apply changes' })).toBeDisabled();
  // The deleted row deactivates only when asked.
  await expect(plan.locator('tr[data-action="deactivate"]')).toHaveCount(0);
  await page.getByLabel('Deactivate members who are not in this file').check();
  await expect(plan.locator('tr[data-action="deactivate"]')).toContainText(`m3.${tag}`);
  await page.getByLabel('Deactivate members who are not in this file').uncheck();

  // A refused row is fixed in place (its program put back) or left out; then the whole
  // file applies at once.
  await m1.getByText('Fix this row here').click();
  const programs = m1.getByLabel(/Row \d+, course_enrollments/);
  await programs.fill('meddpicc-masterclass');
  await programs.press('Tab');
  await expect(page.getByTestId('plan-summary')).toContainText('0 new, 2 changed, 1 unchanged, 0 to deactivate, 0 refused');
  await expect(m1).toContainText('last_name: “García” → “García López”');
  await expect(page.getByRole('button', { name: 'Leave this row out' })).toHaveCount(0);
  // Another change to the organization holds its lock for a few seconds: the progress bar
  // says what the apply waits for, with its steps (3 rows + the check + the record).
  const holder = spawn('psql', [process.env.DATABASE_URL!, '-q', '-c',
    `BEGIN; SELECT 1 FROM organizations WHERE id = ${org} FOR UPDATE; SELECT pg_sleep(3), 'held for ${tag}'; COMMIT;`]);
  await expect.poll(() => execFileSync('psql', [process.env.DATABASE_URL!, '-Atq', '-c',
    `SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%held for ${tag}%' AND wait_event = 'PgSleep'`]).toString().trim()).toBe('1');
  await page.getByRole('button', { name: 'Apply changes' }).click();
  const bar = page.getByTestId('applying');
  await expect(bar).toContainText('Waiting for other changes to your organization… 0 %');
  await expect(bar.getByRole('progressbar', { name: 'Applying the changes' })).toHaveAttribute('max', '5');
  await expect(page.getByTestId('change-outcome')).toContainText('Applied: 0 invited, 2 changed, 0 deactivated', { timeout: 15_000 });
  await expect(bar).toHaveCount(0);
  if (holder.exitCode === null) await new Promise((done) => holder.on('exit', done));

  // Undo takes it back.
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('change-outcome')).toContainText('Undone');
  await page.goto('/organization/activity');
  await expect(page.locator('main')).toContainText('team.csv');

  // The Excel export, dropped back as it is, plans no change (read by the lazy reader).
  await page.goto('/organization');
  await hydrated(page);
  const [workbook] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export Excel' }).click(),
  ]);
  expect(workbook.suggestedFilename()).toMatch(/^roster-members-.*\.xlsx$/);
  await page.goto('/organization/import');
  await hydrated(page);
  await page.getByLabel('Choose a file').setInputFiles(await workbook.path());
  await expect(page.getByTestId('notices')).toContainText('Excel workbook (.xlsx)');
  await expect(page.getByTestId('plan-summary')).toContainText('0 new, 0 changed, 4 unchanged, 0 to deactivate, 0 refused');
});

test('a file of 5,000 members is sent in parts and applied whole', async ({ browser }) => {
  const { page, orgName } = await newOrganizationAdmin(browser);
  const tag = orgName.toLowerCase();
  const org = `(SELECT id FROM organizations WHERE name = '${orgName}')`;
  sql(`INSERT INTO members (organization_id, external_id, first_name, last_name, email, job_title, permission, status, password_hash)
       SELECT ${org}, 'EXT' || lpad(n::text, 5, '0'), 'Zoë' || n, 'Müller', 'p' || n || '.${tag}@example.com',
              'Account Executive', 'member', 'active', 'x'
         FROM generate_series(1, 4999) n`);
  await page.goto('/organization');
  await hydrated(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const changed = readFileSync(await download.path(), 'utf8').replaceAll(',Account Executive,', ',Sales Manager,');
  await page.goto('/organization/import');
  await hydrated(page);
  await page.getByLabel('Choose a file').setInputFiles({ name: 'titles.csv', mimeType: 'text/csv', buffer: Buffer.from(changed) });
  await expect(page.getByTestId('plan-summary')).toContainText('4999 changed');
  await page.getByRole('button', { name: 'Apply changes' }).click();
  // Three parts of at most 2,000 rows, put together on the server and applied at once.
  await expect(page.getByTestId('change-outcome')).toContainText('Applied: 0 invited, 4999 changed, 0 deactivated', { timeout: 30_000 });
  sql(`DO $$ BEGIN
         IF (SELECT count(*) FROM members WHERE organization_id = ${org} AND job_title = 'Sales Manager') <> 4999
         THEN RAISE 'not every title changed'; END IF;
       END $$`);
});

test('a likely typo in an address is asked about, never refused', async ({ browser }) => {
  const { page } = await newOrganizationAdmin(browser);
  await page.goto('/organization/import');
  await hydrated(page);
  const csv = 'user_id,first_name,last_name,email\r\nEXT00001,Ana,López,ana@gmial.com\r\nEXT00002,Bo,Li,bo@example.con\r\n';
  await page.getByLabel('Choose a file').setInputFiles({ name: 'typos.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('check-summary')).toContainText('2 ready to import, 0 with problems');
  await expect(page.getByTestId('warnings')).toContainText('Row 2, email: Did you mean ana@gmail.com?');
  await expect(page.getByTestId('warnings')).toContainText('bo@example.com');

  await page.goto('/organization/invite');
  await hydrated(page);
  await page.getByLabel('Email address').fill('zoe@hotmial.com');
  await expect(page.getByTestId('email-typo')).toHaveText('Did you mean zoe@hotmail.com?');
});
