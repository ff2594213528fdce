// The browser-side CSV check against papaparse, in the same page of headless Chromium.
// Run by `scripts/bench.sh csv` (release build); prints a table.
import { chromium } from '@playwright/test';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const sizes = (process.env.SIZES ?? '10000,100000,1000000').split(',').map(Number);
const RUNS = Number(process.env.RUNS ?? 11);
const DUPLICATES = process.env.DUPLICATES === '1';

// The file is made inside the page: handing a 100 MB body to the page through Playwright's
// routing crashes the renderer (a harness limit, not the check's).
function generateInPage(rows, duplicates) {
  const lines = ['user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments'];
  for (let n = 1; n <= rows; n++) {
    // user_ids go on past EXT99999 as a million members need (EXT100000 …); DUPLICATES=1
    // wraps them at 100,000 instead (every row after the 100,000th a duplicate).
    const id = `EXT${n < 100000 || duplicates ? String(n % 100000).padStart(5, '0') : n}`;
    const programs = n % 3 === 0 ? '"meddpicc-masterclass,meddicc-value-program"' : n % 3 === 1 ? 'meddicc-go-live-plan' : '';
    const email = n % 97 === 0 ? `broken${n}@` : `person${n}@example.com`; // about 1 % with a problem
    lines.push(`${id},Zoë${n},Müller,${email},Account Executive,${programs ? 'TRUE' : 'FALSE'},FALSE,${programs}`);
  }
  return new TextEncoder().encode(lines.join('\r\n') + '\r\n');
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
// papaparse goes in as an inline script and the generator through `new Function`, which
// the site's Content-Security-Policy forbids (rightly): this harness page alone sets it aside.
const page = await browser.newPage({ bypassCSP: true });
await page.goto(`${base}/sign-in`);
await page.locator('body[data-hydrated="true"]').waitFor();
await page.addScriptTag({ path: require.resolve('papaparse/papaparse.min.js') });

console.log(`CSV check in headless Chromium (${RUNS} runs each, median), release build`);
console.log('rows       MB    Roster parse+check (one task)   papaparse parse (header: true)   the page\'s way (slices): total, longest task');
for (const rows of sizes) {
  const result = await page.evaluate(async ([runs, rows, generator, duplicates]) => {
    const bytes = new Function(`return (${generator})`)()(rows, duplicates);
    // The build names its script after its content: the one this page loaded.
    const script = performance.getEntriesByType('resource').map((e) => e.name).find((n) => /\/pkg\/roster\.[^/]*js$/.test(n));
    const mod = await import(script);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 100));
    // First the page's way: a slice of rows at a time with pauses; the longest task is
    // what a person feels (the page can neither paint nor answer during one). The
    // observer starts in a task of its own, so only the check's tasks are counted.
    const tasks = [];
    const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: 'longtask' });
    // A Blob, as a picked file is (made before the clock starts: the page gets its File
    // from the browser).
    const blob = new Blob([bytes]);
    await pause();
    tasks.length = 0;
    const s0 = performance.now();
    const sliced = await mod.check_csv_in_slices_for_benchmark(blob);
    const slicedMs = performance.now() - s0;
    const memoryMb = mod.wasm_memory_bytes() / 1e6;
    await pause();
    observer.disconnect();
    const longest = tasks.length ? Math.max(...tasks) : 0;
    // Then parse+check in one go, against papaparse's parse alone, taking turns (this
    // machine's speed drifts: both see the same drift).
    const roster = [], papa = [];
    let counts;
    const text = new TextDecoder().decode(bytes);
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      counts = mod.check_csv_for_benchmark(bytes);
      roster.push(performance.now() - t0);
      const t1 = performance.now();
      window.Papa.parse(text, { header: true });
      papa.push(performance.now() - t1);
    }
    return { roster, papa, memoryMb, counts: Array.from(counts), sliced: Array.from(sliced), slicedMs, longest, longTasks: tasks.length, size: bytes.length };
  }, [RUNS, rows, generateInPage.toString(), DUPLICATES]);
  const r = median(result.roster), p = median(result.papa);
  console.log(
    `${String(rows).padEnd(10)} ${(result.size / 1e6).toFixed(1).padStart(5)}   ${r.toFixed(0).padStart(8)} ms (${result.counts[1]} rows with problems)   ${p.toFixed(0).padStart(8)} ms   ${(p / r).toFixed(1)}x faster than papaparse` +
      `   ${result.slicedMs.toFixed(0)} ms in slices, longest task ${result.longest.toFixed(0)} ms (${result.longTasks} tasks over 50 ms), wasm memory ${result.memoryMb.toFixed(0)} MB`,
  );
}
await browser.close();
