import { expect, test } from './fixtures';
import { hydrated, newOrganizationAdmin, unique } from './helpers';

// Provisioning from an identity provider (issue 23): a token from the API keys page, the
// Identity page's seat policy and waitlist, a provider's requests through /scim/v2.

test('a provisioning token, the seat policy, and the waitlist when seats run out', async ({ browser, request }) => {
  const { page, context } = await newOrganizationAdmin(browser);

  // The token: the API keys page, the Provisioning scope alone.
  await page.goto('/organization/api-keys');
  await hydrated(page);
  await page.getByLabel('Name').fill('Okta');
  await page.getByLabel(/Provisioning/).check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const token = (await page.getByTestId('new-key').textContent())!.trim();
  expect(token).toMatch(/^rst_[0-9a-f]{64}$/);

  // The Identity page tells where the provider sends its requests and which token it has.
  await page.goto('/organization/identity');
  await expect(page).toHaveTitle(/Identity/);
  await expect(page.getByLabel(/SCIM base URL/)).toHaveValue(/\/scim\/v2$/);
  await expect(page.getByText(/Live provisioning tokens: Okta/)).toBeVisible();
  await expect(page.getByText('Nobody is waiting for a seat.')).toBeVisible();

  // Both seats for everyone the provider creates.
  await hydrated(page);
  await page.getByLabel('An Enable and an Opportunity seat').check();
  await page.getByRole('button', { name: 'Save the seat policy' }).click();
  await expect(page.getByText('Seat policy saved.')).toBeVisible();

  // The organization has 5 Enable and 2 Opportunity seats: the provider creates four.
  const scim = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
  const people = ['ana', 'ben', 'cy', 'dee'].map((n) => `${unique(n)}@example.com`);
  for (const [i, email] of people.entries()) {
    const created = await request.post('/scim/v2/Users', {
      headers: scim,
      data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email,
              name: { givenName: `Person${i}`, familyName: 'Provisioned' }, emails: [{ value: email, primary: true }] },
    });
    expect(created.status()).toBe(201);
    expect(created.headers()['content-type']).toBe('application/scim+json');
  }
  // Never refused: the two past the Opportunity seats wait for one.
  await page.goto('/organization/identity');
  const waitlist = page.locator('table.waitlist');
  await expect(waitlist.locator('tbody tr')).toHaveCount(2);
  await expect(waitlist).toContainText('Person2 Provisioned');
  await expect(waitlist).toContainText('Opportunity');
  await expect(page.getByText('2 waiting.')).toBeVisible();

  // The provider deactivates the first: her Opportunity seat goes to the first who waits.
  const found = await request.get(`/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${people[0]}"`)}`, { headers: scim });
  const id = (await found.json()).Resources[0].id;
  const off = await request.patch(`/scim/v2/Users/${id}`, {
    headers: scim,
    data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
  });
  expect(off.status()).toBe(200);
  expect(off.headers()['roster-seats']).toContain('Opportunity seat returned');
  await page.goto('/organization/identity');
  await expect(waitlist.locator('tbody tr')).toHaveCount(1);
  await expect(waitlist).toContainText('Person3 Provisioned');

  // Another organization's administrator's session is no SCIM token.
  const anonymous = await request.get('/scim/v2/Users');
  expect(anonymous.status()).toBe(401);
  await context.close();
});

test('groups pushed by the provider appear and can grant seats', async ({ browser, request }) => {
  const { page, context } = await newOrganizationAdmin(browser);
  await page.goto('/organization/api-keys');
  await hydrated(page);
  await page.getByLabel('Name').fill('Entra');
  await page.getByLabel(/Provisioning/).check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const token = (await page.getByTestId('new-key').textContent())!.trim();
  const scim = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
  const group = await request.post('/scim/v2/Groups', { headers: scim, data: { displayName: 'Field Sales' } });
  expect(group.status()).toBe(201);

  await page.goto('/organization/identity');
  await hydrated(page);
  const row = page.getByRole('row', { name: /Identity provider groups \/ Field Sales/ });
  await row.getByLabel('An Enable seat').check();
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('row', { name: /Field Sales/ }).getByLabel('An Enable seat')).toBeChecked();
  await page.reload();
  await expect(page.getByRole('row', { name: /Field Sales/ }).getByLabel('An Enable seat')).toBeChecked();
  // The team is a team of the organization like any other.
  await page.goto('/organization/teams');
  await expect(page.getByText('Field Sales').first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Identity provider groups' })).toBeVisible();
  await context.close();
});
