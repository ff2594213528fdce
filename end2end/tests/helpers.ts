import { execFileSync } from 'node:child_process';
import { Browser, expect, Page } from '@playwright/test';

export const DEMO_PASSWORD = 'northwind-demo';
export const DEMO_ADMIN = 'admin@northwind.example';
export const DEMO_MEMBER = 'ava.hughes@northwind.example';

/** Waits until the wasm has hydrated the page (App marks <body data-hydrated>). */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  // Parts loaded inside Suspense hydrate a moment later: wait for them too.
  await expect(page.locator('[data-interactive="false"]')).toHaveCount(0);
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Creates an organization with the server's command line, as an operator would, and
 *  returns the first administrator's invitation link. */
export function createOrganization(name: string, adminEmail: string): string {
  const out = execFileSync(
    process.env.ROSTER_BIN!,
    ['org', 'create', '--name', name, '--enable-seats', '5', '--opportunity-seats', '2',
     '--admin-email', adminEmail, '--admin-first-name', 'Rowan', '--admin-last-name', 'Price'],
    { env: { ...process.env, PUBLIC_URL: process.env.BASE_URL }, encoding: 'utf8' },
  );
  const link = out.match(/https?:\/\/\S+\/invite\/[0-9a-f]{64}/);
  if (!link) throw new Error(`no invitation link in: ${out}`);
  return link[0];
}

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** A new organization whose administrator has accepted the invitation and is signed in
 *  on the returned page (in a browser context of its own). */
export async function newOrganizationAdmin(browser: Browser, orgName = unique('Acme')) {
  const adminEmail = `${unique('admin')}@example.com`;
  const link = createOrganization(orgName, adminEmail);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel('New password').fill('a long passphrase');
  await page.getByLabel('Type the password again').fill('a long passphrase');
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(page).toHaveURL(/\/organization$/);
  return { page, context, adminEmail, orgName };
}

/** Fills the + Invite form's fields for one member. */
export async function fillInvitee(page: Page, first: string, last: string, email: string, enable = false) {
  await page.getByLabel('First name').fill(first);
  await page.getByLabel('Last name').fill(last);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Job title (optional)').fill('Account Executive');
  const box = page.getByLabel(/Enable seat/);
  if ((await box.isChecked()) !== enable) await box.click();
}

/** The accept link of the newest email to `email`, read from the development mailbox. */
export async function invitationLinkFromMailbox(page: Page, email: string): Promise<string> {
  await page.goto('/organization/mailbox');
  const message = page.getByTestId('mailbox').locator('li', { hasText: `to ${email}` }).first();
  await message.locator('summary').click();
  const text = await message.locator('pre').innerText();
  const link = text.match(/https?:\/\/\S+\/invite\/[0-9a-f]{64}/);
  if (!link) throw new Error(`no link in the email: ${text}`);
  return link[0];
}

/** The password-reset link of the newest reset email to `email`, from the development mailbox. */
export async function resetLinkFromMailbox(page: Page, email: string): Promise<string> {
  await page.goto('/organization/mailbox');
  const message = page.getByTestId('mailbox')
    .locator('li', { hasText: `to ${email}` })
    .filter({ hasText: 'Choose a new password' }).first();
  await message.locator('summary').click();
  const text = await message.locator('pre').innerText();
  const link = text.match(/https?:\/\/\S+\/reset-password\/[0-9a-f]{64}/);
  if (!link) throw new Error(`no reset link in the email: ${text}`);
  return link[0];
}

/** Invites a member with an Enable seat and has them accept; returns their signed-in page. */
export async function activeMember(browser: Browser, admin: Page, first: string, last: string) {
  await admin.goto('/organization/invite');
  await hydrated(admin);
  const email = `${unique(first.toLowerCase())}@example.com`;
  await fillInvitee(admin, first, last, email, true);
  await admin.getByRole('button', { name: 'Invite Member' }).click();
  await expect(admin.getByTestId('invite-done')).toContainText('Invitation sent');
  const link = await invitationLinkFromMailbox(admin, email);
  const context = await browser.newContext();
  const member = await context.newPage();
  await member.goto(link);
  await hydrated(member);
  await member.getByLabel('New password').fill('a long passphrase');
  await member.getByLabel('Type the password again').fill('a long passphrase');
  await member.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(member).toHaveURL(/\/my-programs$/);
  return { member, context, email };
}
