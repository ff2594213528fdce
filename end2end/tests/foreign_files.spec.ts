import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { hydrated, newOrganizationAdmin } from './helpers';

/** A fixture LibreOffice wrote (fixtures/spreadsheets/make.sh). */
const fixture = (name: string) => `${__dirname}/../../fixtures/spreadsheets/${name}`;

/** Files as HR systems export them: a title (and a date, blank rows) above the header,
 *  column names in English, French, Spanish and German, booleans in those languages. Each
 *  reaches "Checked 3 rows" with every column that carries data matched and the seats the
 *  file asks for. */
const files = [
  {
    file: 'title-row.xlsx',
    headerRow: '3',
    skipped: 'Employee roster',
    columns: {
      'Employee ID': 'user_id', 'First Name': 'first_name', 'Last Name': 'last_name',
      'Work Email': 'email', 'Job Title': 'job_title', 'Enable seat': 'mos_enable',
      'Opportunity seat': 'mos_opportunity',
    },
    name: 'Ødegård',
  },
  {
    file: 'french.xlsx',
    headerRow: '3',
    skipped: 'Export RH',
    columns: {
      'Matricule': 'user_id', 'Prénom': 'first_name', 'Nom de famille': 'last_name',
      'Adresse e-mail professionnelle': 'email', 'Intitulé du poste': 'job_title',
      'Licence Enable': 'mos_enable', 'Licence Opportunity': 'mos_opportunity',
    },
    name: 'Lefèvre',
  },
  {
    file: 'spanish.ods',
    headerRow: '2',
    skipped: 'Plantilla comercial',
    columns: {
      'Número de empleado': 'user_id', 'Nombre': 'first_name', 'Apellidos': 'last_name',
      'Correo electrónico': 'email', 'Puesto de trabajo': 'job_title',
      'Licencia Enable': 'mos_enable', 'Licencia Opportunity': 'mos_opportunity',
    },
    name: 'Ibáñez',
  },
  {
    file: 'german.xlsx',
    headerRow: '4',
    skipped: 'Mitarbeiterliste Vertrieb',
    columns: {
      'Personalnummer': 'user_id', 'Vorname': 'first_name', 'Nachname': 'last_name',
      'E-Mail-Adresse': 'email', 'Stellenbezeichnung': 'job_title',
      'Enable-Lizenz': 'mos_enable', 'Opportunity-Lizenz': 'mos_opportunity',
    },
    name: 'Schäfer',
  },
];

for (const f of files) {
  test(`${f.file}: the header found under its title, every column matched, the seats asked`, async ({ browser }) => {
    const { page } = await newOrganizationAdmin(browser);
    await page.goto('/organization/import');
    await hydrated(page);
    await page.getByLabel('Choose a file').setInputFiles(fixture(f.file));

    const matching = page.getByTestId('column-matching');
    await expect(matching).toBeVisible();
    // Which row holds the names, and what was skipped above it.
    await expect(page.getByTestId('header-row')).toHaveValue(f.headerRow);
    await expect(page.getByTestId('header-row-note')).toContainText(f.skipped);
    for (const [header, column] of Object.entries(f.columns)) {
      await expect(page.getByLabel(header, { exact: true }), header).toHaveValue(column);
    }
    // Nothing with values is left out.
    await expect(page.getByTestId('ignored-with-values')).toBeEmpty();
    await page.getByRole('button', { name: 'Continue with these columns' }).click();

    const summary = page.getByTestId('check-summary');
    await expect(summary).toContainText('Checked 3 rows');
    await expect(summary).toContainText('3 ready to import, 0 with problems');
    // Two Enable seats and one Opportunity seat, as the file's yes/no words say.
    await expect(summary).toContainText('Enable seats asked: 2 of');
    await expect(summary).toContainText('Opportunity: 1 of');
    await expect(page.getByTestId('notices')).toContainText(`The header is row ${f.headerRow}`);
    await expect(page.getByTestId('preview')).toContainText(f.name);
  });
}

test('another header row can be picked, and a column with values left out is said', async ({ browser }) => {
  const { page } = await newOrganizationAdmin(browser);
  await page.goto('/organization/import');
  await hydrated(page);
  await page.getByLabel('Choose a file').setInputFiles(fixture('french.xlsx'));
  await expect(page.getByTestId('header-row')).toHaveValue('3');
  // The person says the names are on row 1: the title becomes the only column.
  await page.getByTestId('header-row').selectOption('1');
  await expect(page.getByTestId('header-row')).toHaveValue('1');
  await expect(page.getByTestId('matching-problem')).toContainText('Choose a column of your file for');
  // Back to row 3, and the job title column set to Ignore: said above the button.
  await page.getByTestId('header-row').selectOption('3');
  await expect(page.getByLabel('Intitulé du poste', { exact: true })).toHaveValue('job_title');
  await page.getByLabel('Intitulé du poste', { exact: true }).selectOption('');
  await expect(page.getByTestId('ignored-with-values')).toContainText('1 column with values will not be imported: Intitulé du poste');
  await page.getByLabel('Intitulé du poste', { exact: true }).selectOption('job_title');
  await expect(page.getByTestId('ignored-with-values')).toBeEmpty();
});

test('a file of 10,000 columns is refused before the matching step, with what to do', async ({ browser }) => {
  const { page } = await newOrganizationAdmin(browser);
  await page.goto('/organization/import');
  await hydrated(page);
  const header = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',');
  await page.getByLabel('Choose a file').setInputFiles({ name: 'wide.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n${header}\n`) });
  await expect(page.getByTestId('file-problems')).toContainText('This file has 10000 columns; Roster reads at most 250');
  await expect(page.getByTestId('column-matching')).toHaveCount(0);
});

test('a file over 1 GB is refused before it is read, with what to do', async ({ browser }) => {
  const { page } = await newOrganizationAdmin(browser);
  await page.goto('/organization/import');
  await hydrated(page);
  // 1.1 GB of nothing: a sparse file takes no disk, and the page must not read it at all.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'roster-big-')), 'huge.csv');
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, 1100 * 1024 * 1024);
  fs.closeSync(fd);
  try {
    await page.getByLabel('Choose a file').setInputFiles(file);
    await expect(page.getByTestId('import-outcome')).toContainText('This file is 1100 MB; Roster reads files of up to 1024 MB');
    await expect(page.getByTestId('check-summary')).toHaveCount(0);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
