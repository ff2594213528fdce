import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import { hydrated, newOrganizationAdmin, unique } from './helpers';

test('download the template, fill it, drop it, fix a problem in place, import', async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await expect(page).toHaveURL(/\/organization\/import$/);
  await hydrated(page);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download Sample File' }).click(),
  ]);
  const template = readFileSync(await download.path(), 'utf8');
  expect(template.split('\r\n')[0]).toBe('user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments');
  expect(template).toContain('EXT00001,Jane,Doe');

  // Fill it as a person would: keep the header, write our rows; one has a bad address.
  const tag = unique('csv');
  const lines = [
    template.split('\r\n')[0],
    `EXT00001,Zoë,Müller,zoe.${tag}@example.com,Account Executive,TRUE,TRUE,"meddpicc-masterclass,value-pyramid-program"`,
    `EXT00002,Bo,Li,bo.${tag}@example,Sales Engineer,FALSE,FALSE,`,
    `EXT00003,Cy,Ng,cy.${tag}@example.com,,FALSE,,`,
  ];
  const file = { name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n') + '\r\n') };

  // Drop it on the page.
  const dataTransfer = await page.evaluateHandle((f) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: 'text/csv' }));
    return dt;
  }, { name: file.name, bytes: [...file.buffer] });
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });

  await expect(page.getByTestId('check-summary')).toContainText(/Checked 3 rows in \d+ ms:/);
  await expect(page.getByTestId('check-summary')).toContainText('2 ready to import, 1 with problems');
  await page.getByLabel('Show only rows with problems').check();
  const bad = page.getByLabel('Row 3, email');
  await expect(bad).toHaveValue(`bo.${tag}@example`);
  await expect(page.getByTestId('preview')).toContainText('not a valid email address');

  // Fix it in place: re-checked at once.
  await bad.fill(`bo.${tag}@example.com`);
  await bad.press('Tab');
  await expect(page.getByTestId('check-summary')).toContainText('3 ready to import, 0 with problems');

  await page.getByRole('button', { name: 'Import 3 members' }).click();
  await expect(page.getByTestId('import-outcome')).toContainText('Imported 3 members');
  await expect(page.getByTestId('import-history')).toContainText('members.csv');

  // The same file again imports nothing, and says so: the two good rows are members
  // already; the row fixed on the page is still wrong in the file.
  await page.getByLabel('Choose a file').setInputFiles(file);
  await expect(page.getByTestId('check-summary')).toContainText('Checked 3 rows');
  await expect(page.getByTestId('check-summary')).toContainText('0 ready to import, 1 with problems');
  await expect(page.getByTestId('check-summary')).toContainText('2 imported already');

  // The members are invited, with their seats, programs and mails.
  await page.goto(`/organization?q=${tag}`);
  await expect(page.getByTestId('members-total')).toContainText('3 members match');
  const zoe = page.getByRole('row', { name: /Zoë Müller/ });
  await expect(zoe).toContainText('Invited');
  await expect(zoe).toContainText('Enable, Opportunity');
  await page.goto('/organization/mailbox');
  await expect(page.getByTestId('mailbox')).toContainText(`to zoe.${tag}@example.com`);
  await context.close();
});

/** The bytes of `text` in Windows-1252 (every character used here is below U+0100). */
function windows1252(text: string): Buffer {
  return Buffer.from([...text].map((c) => c.charCodeAt(0)));
}

test('files as Excel and Google Sheets save them are read right, with a notice where it matters', async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await page.goto('/organization/import');
  await hydrated(page);
  const tag = unique('xl');
  const header = 'user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments';
  const rows = [
    `EXT00001,Zoë,Müller,zoe.${tag}@example.com,Directrice Générale,TRUE,FALSE,"meddpicc-masterclass,value-pyramid-program"`,
    `EXT00002,François,Çelik,francois.${tag}@example.com,,FALSE,TRUE,`,
  ];
  const files = [
    {
      what: 'Excel "CSV UTF-8": BOM and CRLF',
      name: 'excel-utf8.csv',
      buffer: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([header, ...rows].join('\r\n') + '\r\n')]),
      notice: null,
    },
    {
      what: 'Excel on Windows with a French locale: Windows-1252, semicolons, CRLF',
      name: 'excel-fr.csv',
      buffer: windows1252([header, ...rows].map((l) => l.replaceAll(',', ';').replace('"meddpicc-masterclass;value-pyramid-program"', 'meddpicc-masterclass,value-pyramid-program')).join('\r\n') + '\r\n'),
      notice: /Windows-1252[\s\S]*semicolons|semicolons[\s\S]*Windows-1252/,
    },
    {
      what: 'Google Sheets: UTF-8, CRLF, no line end after the last row',
      name: 'google-sheets.csv',
      buffer: Buffer.from([header, ...rows].join('\r\n')),
      notice: null,
    },
  ];
  for (const file of files) {
    await page.getByLabel('Choose a file').setInputFiles({ name: file.name, mimeType: 'text/csv', buffer: file.buffer });
    await expect(page.getByTestId('check-summary'), file.what).toContainText('Checked 2 rows');
    await expect(page.getByTestId('check-summary'), file.what).toContainText('2 ready to import, 0 with problems');
    const preview = page.getByTestId('preview');
    await expect(preview, file.what).toContainText('Zoë');
    await expect(preview, file.what).toContainText('Müller');
    await expect(preview, file.what).toContainText('François');
    await expect(preview, file.what).toContainText('Directrice Générale');
    if (file.notice) {
      await expect(page.getByTestId('notices'), file.what).toHaveText(file.notice);
    } else {
      await expect(page.getByTestId('notices'), file.what).toBeEmpty();
    }
  }
  await context.close();
});

test('a large file is checked a slice at a time, with a progress bar meanwhile', async ({ browser }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await page.goto('/organization/import');
  await hydrated(page);
  const lines = ['user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments'];
  for (let n = 1; n <= 30000; n++) {
    lines.push(`EXT${String(n).padStart(5, '0')},Zoë${n},Müller,person${n}@example.com,Account Executive,FALSE,FALSE,`);
  }
  // Note each time the progress bar is in the page.
  await page.evaluate(() => {
    (window as any).progressSeen = 0;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="checking"]')) (window as any).progressSeen += 1;
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.getByLabel('Choose a file').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n')) });
  await expect(page.getByTestId('check-summary')).toContainText('Checked 30000 rows', { timeout: 60_000 });
  await expect(page.getByTestId('check-summary')).toContainText('30000 ready to import, 0 with problems');
  expect(await page.evaluate(() => (window as any).progressSeen)).toBeGreaterThan(0);
  await context.close();
});

test('an import that stopped (the tab closed mid-file) is continued by the same file, and only completed ones refuse it', async ({ browser }) => {
  const { page, context, orgName } = await newOrganizationAdmin(browser);
  const tag = unique('resume');
  const lines = ['user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments'];
  for (let n = 1; n <= 16000; n++) {
    lines.push(`EXT${String(n).padStart(5, '0')},Ren${n},Resume,ren${n}.${tag}@example.com,Rep,FALSE,FALSE,`);
  }
  const file = { name: 'resume.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n')) };

  await page.goto('/organization/import');
  await hydrated(page);
  await page.getByLabel('Choose a file').setInputFiles(file);
  await expect(page.getByTestId('check-summary')).toContainText('16000 ready to import', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Import 16000 members' }).click();
  // The first batch (import::MAX_BATCH_ROWS, 5,000 rows) is in; close the tab before the
  // rest (two more batches at least are not sent yet).
  await expect(page.getByText(/Importing: (5|10)000 of 16000 rows sent/)).toBeVisible({ timeout: 60_000 });
  const admin = page.context();
  const cookies = await admin.cookies();
  await page.close();

  // The same administrator opens the page again and drops the same file.
  const again = await admin.newPage();
  expect(cookies.length).toBeGreaterThan(0);
  await again.goto('/organization/import');
  await hydrated(again);
  await expect(again.getByTestId('import-history')).toContainText('resume.csv');
  await again.getByLabel('Choose a file').setInputFiles(file);
  await expect(again.getByTestId('check-summary')).toContainText('imported already', { timeout: 60_000 });
  const ready = Number((await again.getByTestId('check-summary').innerText()).match(/(\d+) ready to import/)![1]);
  expect(ready).toBeLessThan(16000);
  await again.getByRole('button', { name: `Import ${ready} members` }).click();
  await expect(again.getByTestId('import-outcome')).toContainText('continuing it', { timeout: 60_000 });
  await expect(again.getByTestId('import-outcome')).toContainText(`Imported ${ready} members`);
  await expect(again.getByTestId('import-history')).toContainText('Completed');

  // Everyone is in, once: 16000 members and the administrator.
  await again.goto('/organization');
  await expect(again.getByTestId('members-total')).toContainText('16,001 members');

  // A completed import refuses the same file.
  await again.goto('/organization/import');
  await hydrated(again);
  await again.getByLabel('Choose a file').setInputFiles(file);
  await expect(again.getByTestId('check-summary')).toContainText('16000 imported already', { timeout: 60_000 });
  expect(orgName).toBeTruthy();
  await context.close();
});
