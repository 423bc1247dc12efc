import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ customers: 4 });
});
afterAll(() => t.close());

describe('the customer page', () => {
  it('leads to the customer\'s opportunities and contracts, and starts a new one of each and a quote for it', async () => {
    const rep1 = await loginAs(t.app, 'rep1');
    const customer = await t.db('customers').where('owner_id', await t.userId('rep1')).first('id');
    const page = (await rep1.get(`/customers/${customer.id}`)).text;
    for (const href of [
      `/opportunities?customer_id=${customer.id}`,
      `/opportunities/new?customer_id=${customer.id}`,
      `/quotes/new?customer_id=${customer.id}`,
      `/contracts?customer_id=${customer.id}`,
      `/contracts/new?customer_id=${customer.id}`,
    ]) {
      expect(page).toContain(`href="${href}"`);
      expect((await rep1.get(href)).status, href).toBe(200);
    }
  });
});
