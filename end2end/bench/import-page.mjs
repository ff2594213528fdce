// The Import CSV page with a 1,000,000-row file (ROWS to change it), as a person uses it: sign in, open Import CSV,
// pick the file, watch the bar, filter to problems, scroll deep, see the maximum's message and
// that Import stays disabled; every task over 50 ms is counted. Run by `scripts/bench.sh page`.
// IMPORT=1 (`scripts/bench.sh import_page`): a file of new members (user_ids from EXT01001, so
// the demo organization has none of them), picked, checked, then *Import* clicked and timed to
// the outcome on screen.
import { chromium } from '@playwright/test';
import fs from 'node:fs';
const base = process.env.BASE_URL;
const rows = Number(process.env.ROWS ?? 1000000);
const importing = process.env.IMPORT === '1';
// user_ids go on past EXT99999 (EXT100000 …) as a million members need; DUPLICATES=1 wraps
// them at 100,000 (every row after the 100,000th a duplicate, the earlier rounds' file).
const duplicates = process.env.DUPLICATES === '1';
const file = process.env.FILE ?? `/tmp/roster-${rows}-rows${importing ? '-new' : duplicates ? '-duplicates' : '-unique'}.csv`;
if (!fs.existsSync(file)) {
  const out = fs.createWriteStream(file);
  out.write('user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\r\n');
  let chunk = [];
  for (let n = 1; n <= rows; n++) {
    chunk.push(importing
      ? `EXT${String(n + 1000).padStart(5, '0')},Zoë${n},Müller,new${n}@bench.example,Account Executive,FALSE,FALSE,`
      : `EXT${n < 100000 || duplicates ? String(n % 100000).padStart(5, '0') : n},Zoë${n},Müller,person${n}@example.com,Account Executive,FALSE,FALSE,`);
    if (chunk.length === 10000) { out.write(chunk.join('\r\n') + '\r\n'); chunk = []; }
  }
  await new Promise((r) => out.end(r));
}
console.log(`${rows} rows, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const page = await browser.newPage();
await page.goto(`${base}/sign-in`);
await page.locator('body[data-hydrated="true"]').waitFor();
await page.getByLabel('Email').fill('admin@northwind.example');
await page.getByLabel('Password').fill('northwind-demo');
await page.getByRole('button', { name: /sign in/i }).click();
await page.waitForURL('**/organization');
await page.goto(`${base}/organization/import`);
await page.locator('body[data-hydrated="true"]').waitFor();
await page.locator('[data-interactive="true"]').waitFor();
await page.evaluate(() => { window.__tasks = []; new PerformanceObserver((l) => window.__tasks.push(...l.getEntries().map((e) => ({ start: e.startTime, duration: e.duration })))).observe({ type: 'longtask' }); });
// The progress bar may come and go between two looks at a small file: noted by an observer.
await page.evaluate(() => {
  window.__bar = null;
  new MutationObserver(() => {
    const bar = document.querySelector('[data-testid=checking]');
    if (bar && !window.__bar) window.__bar = bar.textContent;
    if (!window.__summary && document.querySelector('[data-testid=check-summary]')) window.__summary = performance.now();
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
});
const t0 = Date.now();
const picked = await page.evaluate(() => performance.now());
await page.locator('#csv-file').setInputFiles(file);
await page.getByTestId('check-summary').waitFor({ timeout: 120000 });
const sawBar = (await page.evaluate(() => window.__bar)) ?? '(not seen)';
console.log('progress bar seen:', sawBar.trim(), '| picked to summary on screen in', Date.now() - t0, 'ms');
console.log('summary:', (await page.getByTestId('check-summary').textContent()).slice(0, 140));
console.log('file problems:', await page.getByTestId('file-problems').textContent());
// Memory once the file is checked: the program's (WebAssembly memory only grows, so this is
// the most the check needed, with everything else the page holds) and the script heap's.
const memory = await page.evaluate(async () => {
  const script = performance.getEntriesByType('resource').map((e) => e.name).find((n) => /\/pkg\/roster\.[^/]*js$/.test(n));
  const mod = await import(script);
  return { wasm: mod.wasm_memory_bytes(), heap: performance.memory?.usedJSHeapSize ?? 0 };
});
console.log(`memory: wasm ${(memory.wasm / 1e6).toFixed(0)} MB, script heap ${(memory.heap / 1e6).toFixed(0)} MB (the file ${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`);
if (importing) {
  // Click Import: the page sends the rows in batches (its progress bar) until the outcome.
  const button = page.getByRole('button', { name: /^Import \d+ members/ });
  const clicked = Date.now();
  await button.click();
  await page.getByTestId('import-outcome').getByText(/^Imported/).waitFor({ timeout: 600000 });
  console.log(`clicked Import to the outcome on screen in ${Date.now() - clicked} ms; picked to outcome ${Date.now() - t0} ms`);
  console.log('outcome:', (await page.getByTestId('import-outcome').textContent()).slice(0, 140));
  await browser.close();
  process.exit(0);
}
console.log('import button disabled:', await page.getByRole('button', { name: /^Import \d+ members/ }).isDisabled());
await page.getByLabel('Show only rows with problems').check();
await page.waitForTimeout(500);
console.log('first row shown with the filter:', (await page.locator('[data-testid=preview] tbody tr[data-row]').first().getAttribute('data-row')));
await page.getByTestId('preview').evaluate((e) => { e.scrollTop = 40_000_000; });
await page.waitForTimeout(500);
console.log('a row deep in the file after scrolling:', await page.locator('[data-testid=preview] tbody tr[data-row]').first().getAttribute('data-row'));
const tasks = await page.evaluate(() => window.__tasks);
const summaryAt = await page.evaluate(() => window.__summary);
console.log('long tasks (>50 ms):', tasks.length, 'longest', Math.max(0, ...tasks.map((t) => t.duration)).toFixed(0), 'ms');
console.log('  each (start after the pick, duration), the summary shown at', (summaryAt - picked).toFixed(0), 'ms:',
  tasks.map((t) => `${(t.start - picked).toFixed(0)}+${t.duration.toFixed(0)}`).join(', '));
await browser.close();
