import { chromium } from '@playwright/test';
const base = process.env.BASE_URL ?? 'http://127.0.0.1:4010';
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
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
page.on('console', (m) => console.log('console:', m.text())); page.on('pageerror', (e) => console.log('err', e.message));
await page.goto(`${base}/index.html`);
await page.locator('body[data-ready="1"]').waitFor({ state: 'attached' });
await page.addScriptTag({ path: '/tmp/prof/papaparse.min.js' });
await page.evaluate(([g]) => { window.bytes = new Function(`return (${g})`)()(100000); window.text = new TextDecoder().decode(window.bytes); }, [generateInPage.toString()]);
const times = await page.evaluate(() => { const r = []; for (let i = 0; i < 5; i++) { const t = performance.now(); window.mod.check_csv_for_benchmark(window.bytes); r.push(performance.now() - t); const t1 = performance.now(); Papa.parse(window.text, {header: true}); r.push(performance.now() - t1);} return r; });
console.log('warm-up (roster, papa)*5', times.map((x) => x.toFixed(0)).join(' '));
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
await cdp.send('Profiler.start');
const t2 = await page.evaluate(() => { const r = []; for (let i = 0; i < 20; i++) { const t = performance.now(); window.mod.check_csv_for_benchmark(window.bytes); r.push(performance.now() - t); } return r; });
const { profile } = await cdp.send('Profiler.stop');
console.log('profiled', t2.map((x) => x.toFixed(0)).join(' '));
const self = new Map();
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
let total = 0;
for (const node of profile.nodes) {
  const t = dt.get(node.id) ?? 0; total += t;
  const name = node.callFrame.functionName || node.callFrame.url || '(anon)';
  self.set(name, (self.get(name) ?? 0) + t);
}
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40));
for (const [name, t] of rows) console.log(`${(100 * t / total).toFixed(1).padStart(5)}%  ${name.slice(0, 150)}`);
await browser.close();
