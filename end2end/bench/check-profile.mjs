// Where the browser's CSV check spends its time, by Rust function: the check of a
// 100,000-row file (the benchmark's, csv-check.mjs) run 20 times under Chromium's sampling
// profiler, self time summed per function. Needs the release build's module with its
// function names, which the served one no longer has (wasm-opt drops them): made and
// served by `scripts/bench.sh check_profile`, which passes BASE_URL.
import { chromium } from '@playwright/test';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const base = process.env.BASE_URL ?? 'http://127.0.0.1:4010';
const ROWS = Number(process.env.ROWS ?? 100000);

function generateInPage(rows) {
  const lines = ['user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments'];
  for (let n = 1; n <= rows; n++) {
    const id = `EXT${n < 100000 ? String(n % 100000).padStart(5, '0') : n}`;
    const programs = n % 3 === 0 ? '"meddpicc-masterclass,meddicc-value-program"' : n % 3 === 1 ? 'meddicc-go-live-plan' : '';
    const email = n % 97 === 0 ? `broken${n}@` : `person${n}@example.com`;
    lines.push(`${id},Zoë${n},Müller,${email},Account Executive,${programs ? 'TRUE' : 'FALSE'},FALSE,${programs}`);
  }
  return new TextEncoder().encode(lines.join('\r\n') + '\r\n');
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage();
page.on('pageerror', (e) => console.log('page error:', e.message));
await page.goto(`${base}/index.html`);
await page.locator('body[data-ready="1"]').waitFor({ state: 'attached' });
await page.addScriptTag({ path: require.resolve('papaparse/papaparse.min.js') });
const warm = await page.evaluate(([generator, rows]) => {
  window.bytes = new Function(`return (${generator})`)()(rows);
  window.text = new TextDecoder().decode(window.bytes);
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    window.mod.check_csv_for_benchmark(window.bytes);
    const t1 = performance.now();
    window.Papa.parse(window.text, { header: true });
    times.push(`${(t1 - t0).toFixed(0)}/${(performance.now() - t1).toFixed(0)}`);
  }
  return times;
}, [generateInPage.toString(), ROWS]);
console.log(`${ROWS} rows, unprofiled, Roster/papaparse ms: ${warm.join(' ')}`);

const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
await cdp.send('Profiler.start');
const profiled = await page.evaluate(() => {
  const times = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    window.mod.check_csv_for_benchmark(window.bytes);
    times.push((performance.now() - t0).toFixed(0));
  }
  return times;
});
const { profile } = await cdp.send('Profiler.stop');
console.log(`profiled (20 runs), ms: ${profiled.join(' ')}`);

// Self time per node, then per function name (hashes and all: each is one function).
const spent = new Map();
profile.samples.forEach((node, i) => spent.set(node, (spent.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byName = new Map();
let total = 0;
for (const node of profile.nodes) {
  const t = spent.get(node.id) ?? 0;
  total += t;
  const name = node.callFrame.functionName || node.callFrame.url || '(anonymous)';
  byName.set(name, (byName.get(name) ?? 0) + t);
}
for (const [name, t] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 20))) {
  console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${name.slice(0, 140)}`);
}
await browser.close();
