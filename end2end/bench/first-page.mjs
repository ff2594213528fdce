// A light first page (issue 25, target 1): what the browser downloads before a page is
// interactive, and the time from navigation to interactive — the sign-in page, My
// Organization and Import CSV, cache off, on the release build in headless Chromium.
// "Interactive" is what the browser tests wait for: the body hydrated and no part still
// marked data-interactive="false". Run by `scripts/bench.sh first`.
import { chromium } from '@playwright/test';

const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const RUNS = Number(process.env.RUNS ?? 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext();
// The moment the page becomes interactive, in the page's own clock (from navigation).
await context.addInitScript(() => {
  const done = () => document.body?.getAttribute('data-hydrated') === 'true'
    && !document.querySelector('[data-interactive="false"]');
  const watch = () => {
    if (window.__interactiveAt === undefined && done()) window.__interactiveAt = performance.now();
    else if (window.__interactiveAt === undefined) requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
});

async function visit(path) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map();
  const sizes = new Map();
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength));
  await page.goto(`${base}${path}`);
  await page.waitForFunction(() => window.__interactiveAt !== undefined, null, { timeout: 60000 });
  const ms = await page.evaluate(() => window.__interactiveAt);
  let total = 0;
  let wasm = 0;
  for (const [id, size] of sizes) {
    total += size;
    if ((urls.get(id) ?? '').endsWith('.wasm')) wasm += size;
  }
  await page.close();
  return { ms, total, wasm };
}

// Signed in once (the session cookie stays in the context for the other pages).
{
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.getByLabel('Email address').fill(process.env.EMAIL ?? 'admin@northwind.example');
  await page.getByLabel('Password', { exact: true }).fill(process.env.PASSWORD ?? 'northwind-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/organization/);
  await page.close();
}

const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(`first page, cache off, ${RUNS} runs each (median): downloaded before interactive (wasm of it), navigation to interactive`);
for (const [name, path, signedOut] of [
  ['sign-in', '/sign-in', true],
  ['My Organization', '/organization', false],
  ['Import CSV', '/organization/import', false],
]) {
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    if (signedOut) {
      // The sign-in page as a visitor sees it: without the session cookie.
      const cookies = await context.cookies();
      await context.clearCookies();
      runs.push(await visit(path));
      await context.addCookies(cookies);
    } else {
      runs.push(await visit(path));
    }
  }
  const median = (f) => runs.map(f).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  console.log(`${name.padEnd(16)} ${kb(median((r) => r.total)).padStart(8)} (wasm ${kb(median((r) => r.wasm))})  ${median((r) => r.ms).toFixed(0).padStart(5)} ms`);
}
await browser.close();
