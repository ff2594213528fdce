// A change set planned in the browser, and a workbook read by the lazily loaded reader,
// on the release build in headless Chromium. Run by `scripts/bench.sh plan` and
// `scripts/bench.sh workbook`; prints one line per run.
import { chromium } from '@playwright/test';
import fs from 'node:fs';

const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const what = process.argv[2];
const RUNS = Number(process.env.RUNS ?? 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
// The harness evaluates the module import (eval), which the site's Content-Security-Policy
// forbids: this page alone sets it aside.
const page = await browser.newPage({ bypassCSP: true });
await page.goto(`${base}/sign-in`);
await page.locator('body[data-hydrated="true"]').waitFor();
const load = `(async () => {
  const script = performance.getEntriesByType('resource').map((e) => e.name).find((n) => /\\/pkg\\/roster\\.[^/]*js$/.test(n));
  return import(script);
})()`;

if (what === 'plan') {
  const members = Number(process.env.MEMBERS ?? 100000);
  console.log(`Plan of a ${members}-row roster file against ${members} members (release build, headless Chromium)`);
  for (let run = 1; run <= RUNS; run++) {
    const [read, planning, changes] = await page.evaluate(async ([load, members]) => {
      const mod = await eval(load);
      return mod.plan_for_benchmark(members);
    }, [load, members]);
    console.log(`run ${run}: read ${read.toFixed(0)} ms, plan ${planning.toFixed(0)} ms, ${changes} changes`);
  }
} else if (what === 'workbook') {
  const file = process.env.FILE;
  const base64 = fs.readFileSync(file).toString('base64');
  console.log(`${file} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB) read through the lazily loaded workbook reader, then checked`);
  for (let run = 1; run <= RUNS; run++) {
    const [read, checked, rows] = await page.evaluate(async ([load, base64]) => {
      const mod = await eval(load);
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      return mod.read_workbook_for_benchmark(bytes);
    }, [load, base64]);
    console.log(`run ${run}${run === 1 ? ' (loads the reader)' : ''}: read ${read.toFixed(0)} ms, check ${checked.toFixed(0)} ms, ${rows} rows`);
  }
}
await browser.close();
