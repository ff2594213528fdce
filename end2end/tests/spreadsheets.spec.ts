import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
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
