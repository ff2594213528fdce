import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './fixtures';
import { hydrated, newOrganizationAdmin, unique } from './helpers';

// The open platform (issue 24): an API key with the REST API's scopes, a webhook endpoint
// added on the Webhooks page with its test event received, the Activity page's filters and
// its export.

test('an API key invites through the REST API, a webhook receives the event, the activity is filtered and exported', async ({ browser, request }) => {
  // A receiver on this machine: it answers 200 and keeps what it got.
  const received: { id: string; type: string; signature: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({
        id: String(req.headers['webhook-id']),
        type: JSON.parse(body).type,
        signature: String(req.headers['webhook-signature']),
      });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;

  const { page } = await newOrganizationAdmin(browser);

  // The key: read and write.
  await page.goto('/organization/api-keys');
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'its reference' })).toHaveAttribute('href', '/api/v1/docs');
  await page.getByLabel('Name').fill('HR system');
  await page.getByLabel(/Report progress/).uncheck();
  await page.getByLabel(/Read \(members/).check();
  await page.getByLabel(/Write \(invite/).check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-key').textContent())!.trim();

  // The endpoint: every event.
  await page.goto('/organization/webhooks');
  await expect(page).toHaveTitle(/Webhooks/);
  await expect(page.getByText('No endpoints yet')).toBeVisible();
  await hydrated(page);
  await page.getByLabel('URL').fill(`http://127.0.0.1:${port}/roster`);
  await page.getByLabel('Description (optional)').fill('HR system');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByTestId('webhook-secret')).toHaveText(/^whsec_/);
  const endpoint = page.getByTestId('webhook-endpoint');
  await expect(endpoint).toContainText(`http://127.0.0.1:${port}/roster`);

  // Send test event: delivered, and the delivery log says so.
  await endpoint.getByRole('button', { name: 'Send test event' }).click();
  await expect(page.getByTestId('webhook-message')).toContainText('Test event sent');
  await expect.poll(() => received.map((r) => r.type), { timeout: 15_000 }).toContain('webhook.test');
  await expect(async () => {
    await endpoint.getByRole('button', { name: 'Refresh' }).click();
    await expect(endpoint.getByTestId('webhook-deliveries')).toContainText('delivered', { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(endpoint.getByTestId('webhook-deliveries')).toContainText('200: ok');

  // The REST API invites; the receiver hears of it, signed.
  const email = `${unique('rest')}@example.com`;
  const invited = await request.post('/api/v1/members', {
    headers: { Authorization: `Bearer ${key}`, 'Idempotency-Key': unique('idem') },
    data: { email, first_name: 'Rita', last_name: 'Rest', enable_seat: true },
  });
  expect(invited.status()).toBe(201);
  const member = await invited.json();
  expect(member.status).toBe('invited');
  await expect.poll(() => received.filter((r) => r.type === 'member.invited').length, { timeout: 15_000 }).toBe(1);
  expect(received.every((r) => r.signature.startsWith('v1,'))).toBe(true);

  // A refusal reads as problem details with the pages' words.
  const again = await request.post('/api/v1/members', {
    headers: { Authorization: `Bearer ${key}` },
    data: { email, first_name: 'Rita', last_name: 'Rest' },
  });
  expect(again.status()).toBe(422);
  expect(again.headers()['content-type']).toBe('application/problem+json');
  expect((await again.json()).errors[0].field).toBe('email');

  // The Activity page: filtered to what the key did, then exported as it shows.
  await page.goto('/organization/activity');
  await expect(page).toHaveTitle(/Activity/);
  await page.getByLabel('Who').fill('HR system');
  await page.getByLabel('What').selectOption('member.invited');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/who=HR(%20|\+)system/);
  const rows = page.getByTestId('activity-table').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(email);
  const download = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^roster-activity-.*\.csv$/);
  expect(await file.failure()).toBeNull();
  const text = readFileSync(await file.path(), 'utf8');
  const lines = text.trim().split(/\r?\n/);
  expect(lines[0]).toBe('id,time,who,action,description,member_id,member,details');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(email);
  // A filter that cannot be used says why.
  await page.goto('/organization/activity?from=2026-02-30');
  await expect(page.getByText(/is not a day/)).toBeVisible();

  // The reference page reads without a script.
  await page.goto('/api/v1/docs');
  await expect(page.getByRole('heading', { name: /Roster API/ })).toBeVisible();
  await expect(page.getByText('POST /api/v1/members').first()).toBeVisible();

  receiver.close();
});
