import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { expect, test } from './fixtures';
import type { Page } from '@playwright/test';
import { fillInvitee, hydrated, invitationLinkFromMailbox, newOrganizationAdmin, unique } from './helpers';

// Company sign-in (issue 23) against a real OpenID provider started here (npm's
// oidc-provider), and refusals of tokens made wrong on purpose (oauth2-mock-server).

const children: ChildProcess[] = [];
test.afterAll(() => children.forEach((c) => c.kill()));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts one of end2end/oidc's providers; resolves with its issuer once it listens. */
async function startProvider(script: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [`oidc/${script}`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const ready = chunk.toString().match(/ready (\S+)/);
      if (ready) resolve(ready[1]);
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** Publishes a TXT record where the test server looks for domain proofs. */
function publishTxt(name: string, value: string) {
  const file = process.env.DNS_TXT_FILE!;
  const records = JSON.parse(readFileSync(file, 'utf8'));
  records[name] = [...(records[name] ?? []), value];
  writeFileSync(file, JSON.stringify(records));
}

/** Saves the identity provider on the Identity page and proves `domain`. */
async function connect(page: Page, issuer: string, domain: string) {
  await page.goto('/organization/identity');
  await hydrated(page);
  await page.getByLabel('Issuer URL').fill(issuer);
  await page.getByLabel('Client ID').fill('roster');
  await page.getByLabel('Client secret').fill('roster-client-secret');
  await page.getByRole('button', { name: 'Save single sign-on settings' }).click();
  await expect(page.getByTestId('sso-status')).toContainText('not tested yet');
  // The secret is never shown again.
  await expect(page.getByLabel('Client secret')).toHaveValue('');
  expect(await page.content()).not.toContain('roster-client-secret');

  await page.getByLabel('Domain', { exact: true }).fill(domain);
  await page.getByRole('button', { name: 'Add domain' }).click();
  const row = page.getByTestId('sso-domains').getByRole('row', { name: new RegExp(domain) });
  await expect(row).toContainText('Not verified yet');
  await row.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText(/No TXT record _roster-verification\./)).toBeVisible();
  publishTxt(`_roster-verification.${domain}`, (await row.getByTestId('proof-value').textContent())!.trim());
  await row.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('sso-domains').getByRole('row', { name: new RegExp(domain) })).toContainText('Verified');
}

/** The provider's development login form, then its consent screen. */
async function providerSignIn(page: Page, login: string) {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  const consent = page.locator('button[type="submit"]', { hasText: /Continue/ });
  if (await consent.isVisible({ timeout: 3_000 }).catch(() => false)) await consent.click();
}

test('sign in, accept an invitation and be created on a first sign-in with the company account', async ({ browser }) => {
  test.setTimeout(120_000);
  const base = process.env.BASE_URL!;
  const issuer = await startProvider('provider.mjs', [String(await freePort()), `${base}/api/sso/callback`]);
  const { page, context } = await newOrganizationAdmin(browser);
  const domain = `${unique('corp')}.test`;
  await connect(page, issuer, domain);

  // Test sign-in, required before SSO can be required.
  await page.getByLabel(/Require SSO/).check();
  await page.getByRole('button', { name: 'Save the sign-in policy' }).click();
  await expect(page.getByText(/Run Test sign-in first/)).toBeVisible();
  await page.getByRole('button', { name: 'Test sign-in' }).click();
  await providerSignIn(page, `it@${domain}`);
  await expect(page).toHaveURL(/\/organization\/identity\?tested=1/);
  await expect(page.getByText('Test sign-in succeeded.')).toBeVisible();
  await expect(page.getByTestId('sso-status')).toContainText('Tested');

  // An invited member accepts with the company account.
  const sam = `sam@${domain}`;
  await page.goto('/organization/invite');
  await hydrated(page);
  await fillInvitee(page, 'Sam', 'Seller', sam, true);
  await page.getByRole('button', { name: 'Invite Member' }).click();
  await expect(page.getByTestId('invite-done')).toContainText('Invitation sent');
  const link = await invitationLinkFromMailbox(page, sam);
  const samContext = await browser.newContext();
  const samPage = await samContext.newPage();
  await samPage.goto(link);
  await hydrated(samPage);
  await samPage.getByRole('button', { name: 'Accept with your company account' }).click();
  await providerSignIn(samPage, sam);
  await expect(samPage).toHaveURL(/\/my-programs$/);

  // Signed out, the sign-in page offers the company account for the address's domain.
  await samContext.clearCookies({ domain: '127.0.0.1' });
  await samPage.goto('/sign-in');
  await hydrated(samPage);
  await samPage.getByLabel('Email address').fill(sam);
  await samPage.getByLabel('Email address').blur();
  await samPage.getByTestId('company-sign-in').getByRole('button', { name: 'Continue with your company account' }).click();
  if (!/\/my-programs$/.test(samPage.url())) await providerSignIn(samPage, sam);
  await expect(samPage).toHaveURL(/\/my-programs$/);
  await samContext.close();

  // Creation on a first sign-in, with the seat policy: when every Enable seat is taken
  // the new member is created and waits on the seat waitlist.
  await page.goto('/organization/identity');
  await hydrated(page);
  await page.getByLabel(/Create an account on a first sign-in/).check();
  await page.getByRole('button', { name: 'Save the sign-in policy' }).click();
  await expect(page.getByText('Sign-in policy saved.')).toBeVisible();
  await page.goto('/organization/invite');
  await hydrated(page);
  await page.getByRole('tab', { name: 'Add Multiple Members' }).click();
  for (const n of [1, 2, 3, 4]) {
    await fillInvitee(page, `Filler${n}`, 'Seat', `${unique(`filler${n}`)}@example.com`, true);
    await page.getByRole('button', { name: 'Add Member' }).click();
  }
  await page.getByRole('button', { name: 'Invite 4 Members' }).click();
  await expect(page.getByTestId('invite-done')).toContainText('4 invitations sent');
  const newcomer = `newcomer@${domain}`;
  const newContext = await browser.newContext();
  const newPage = await newContext.newPage();
  await newPage.goto('/sign-in');
  await hydrated(newPage);
  await newPage.getByLabel('Email address').fill(newcomer);
  await newPage.getByLabel('Email address').blur();
  await newPage.getByTestId('company-sign-in').getByRole('button').click();
  await providerSignIn(newPage, newcomer);
  await expect(newPage).toHaveURL(/\/my-programs$/);
  await newContext.close();
  await page.goto('/organization/identity');
  const waitlist = page.locator('table.waitlist');
  await expect(waitlist).toContainText(newcomer);
  await expect(waitlist).toContainText('Enable');

  // Require SSO: the administrator picked as the way back in keeps the password; the
  // Activity records its use.
  await page.getByLabel(/Require SSO/).check();
  await page.getByRole('button', { name: 'Save the sign-in policy' }).click();
  await expect(page.getByTestId('sso-status')).toContainText('Required');
  await context.close();
});

test('each wrong token, a replayed sign-in and an unproved address are refused in words', async ({ browser }) => {
  test.setTimeout(120_000);
  const port = await freePort();
  const issuer = await startProvider('mock.mjs', [String(port)]);
  const control = (mode: string, email: string) =>
    fetch(`http://127.0.0.1:${port + 1}/mode?mode=${mode}&email=${encodeURIComponent(email)}`);
  const { page, context, adminEmail } = await newOrganizationAdmin(browser);
  const domain = `${unique('mock')}.test`;
  await connect(page, issuer, domain);
  // A member on the proved domain, who will try to sign in.
  const lee = `lee@${domain}`;
  await page.goto('/organization/invite');
  await hydrated(page);
  await fillInvitee(page, 'Lee', 'Tester', lee);
  await page.getByRole('button', { name: 'Invite Member' }).click();
  await expect(page.getByTestId('invite-done')).toContainText('Invitation sent');

  const visitor = await browser.newContext();
  const tryIt = async (mode: string, email: string) => {
    await control(mode, email);
    const p = await visitor.newPage();
    let callback = '';
    p.on('request', (r) => { if (r.url().includes('/api/sso/callback')) callback = r.url(); });
    await p.goto('/sign-in');
    await hydrated(p);
    await p.getByLabel('Email address').fill(lee);
    await p.getByLabel('Email address').blur();
    await p.getByTestId('company-sign-in').getByRole('button').click();
    await p.waitForURL(/\/(sign-in\?sso=|my-programs)/);
    return { p, callback };
  };
  const refusals: [string, RegExp][] = [
    ['wrong-issuer', /comes from another identity provider/],
    ['wrong-audience', /issued for another application/],
    ['expired', /has expired/],
    ['wrong-nonce', /does not belong to this sign-in/],
    ['bad-signature', /not signed by your identity provider's keys/],
    ['unsigned', /not signed by your identity provider's keys/],
  ];
  for (const [mode, message] of refusals) {
    const { p } = await tryIt(mode, lee);
    await expect(p.getByTestId('sso-error'), mode).toHaveText(message);
    await p.close();
  }
  // An address on a domain nobody proved links nothing.
  {
    const { p } = await tryIt('good', `lee@unproved-${domain}`);
    await expect(p.getByTestId('sso-error')).toContainText('not on a domain your organization has verified');
    await p.close();
  }
  // No account for this address (and no creation on first sign-in).
  {
    const { p } = await tryIt('good', `nobody@${domain}`);
    await expect(p.getByTestId('sso-error')).toContainText('There is no Roster account for your company account');
    await p.close();
  }
  // A good token signs Lee in (accepting the invitation); the same callback again is refused.
  const { p, callback } = await tryIt('good', lee);
  await expect(p).toHaveURL(/\/my-programs$/);
  expect(callback).toContain('state=');
  await p.goto(callback);
  await expect(p).toHaveURL(/\/sign-in\?sso=state-used/);
  await expect(p.getByTestId('sso-error')).toContainText('already used');
  await visitor.close();

  // Require SSO: Lee's colleagues sign in with passwords no more; the administrator kept
  // as the way back in still does, and the Activity says so.
  await page.goto('/organization/identity');
  await hydrated(page);
  await control('good', `admin@${domain}`);
  await page.getByRole('button', { name: 'Test sign-in' }).click();
  await expect(page).toHaveURL(/tested=1/);
  await page.getByLabel(/Require SSO/).check();
  await page.getByRole('button', { name: 'Save the sign-in policy' }).click();
  await expect(page.getByTestId('sso-status')).toContainText('Required');
  const again = await browser.newContext();
  const adminPage = await again.newPage();
  await adminPage.goto('/sign-in');
  await hydrated(adminPage);
  await adminPage.getByLabel('Email address').fill(adminEmail);
  await adminPage.getByLabel('Password').fill('a long passphrase');
  await adminPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(adminPage).toHaveURL(/\/organization$/);
  await adminPage.goto('/organization/activity');
  await expect(adminPage.getByTestId('activity-table').getByText(/the way back in/).first()).toBeVisible();
  await again.close();
  await context.close();
});
