import { execFileSync } from 'node:child_process';
import { expect, Page } from '@playwright/test';

export const DEMO_PASSWORD = 'northwind-demo';
export const DEMO_ADMIN = 'admin@northwind.example';
export const DEMO_MEMBER = 'ava.hughes@northwind.example';

/** Waits until the wasm has hydrated the page (App marks <body data-hydrated>). */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
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
