import { BrowserContext, expect, test as base } from '@playwright/test';

/** Playwright's `test`, failing any test in whose pages the browser reports a
 *  Content-Security-Policy violation: the whole suite, hydration included, proves the
 *  policy. Every context the test opens is watched, its own and `browser.newContext()`'s. */
export const test = base.extend<{ cspGuard: void }>({
  cspGuard: [async ({ browser, context }, use) => {
    const violations: string[] = [];
    const watch = (ctx: BrowserContext) => {
      ctx.on('console', (message) => {
        const text = message.text();
        if (/Content Security Policy|Content-Security-Policy/i.test(text)) violations.push(text);
      });
      ctx.on('weberror', (error) => {
        const text = String(error.error());
        if (/Content Security Policy/i.test(text)) violations.push(text);
      });
    };
    watch(context);
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (...args: Parameters<typeof browser.newContext>) => {
      const created = await newContext(...args);
      watch(created);
      return created;
    };
    await use();
    browser.newContext = newContext;
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
  }, { auto: true }],
});

export { expect };
