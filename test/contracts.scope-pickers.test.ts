import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCustomer } from './support/records.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// The contract form's pickers list only what the user may open: opened for a customer out of scope
// it is a 404, and a rejected save never lists another owner's opportunities or quotes.

let t: TestApp;
let rep1: Agent;
let rep3: Agent;
let manager1: Agent;
let customerOfRep3: number;
let customerOfRep1: number;
const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

async function insertOpportunity(customerId: number, owner: string, title: string): Promise<void> {
  const ownerId = await t.userId(owner);
  const stage = await t.db('pipeline_stages').orderBy('sort').first('id');
  await t.db('opportunities').insert({
    customer_id: customerId, title, amount: '100.00', currency: 'CNY', stage_id: stage.id, probability: 10,
    owner_id: ownerId, created_by: ownerId, version: 1, stage_entered_at: now(), created_at: now(), updated_at: now(),
  });
}

async function insertQuote(customerId: number, owner: string, number: string): Promise<void> {
  const ownerId = await t.userId(owner);
  await t.db('quotes').insert({
    number, customer_id: customerId, title: 'Secret quote', currency: 'CNY', status: 'draft', subtotal: '0', discount_total: '0', total: '0',
    owner_id: ownerId, created_by: ownerId, version: 1, created_at: now(), updated_at: now(),
  });
}

beforeAll(async () => {
  t = await createTestApp();
  [rep1, rep3, manager1] = await Promise.all(['rep1', 'rep3', 'manager1'].map((u) => loginAs(t.app, u)));
  customerOfRep3 = await insertCustomer(t, 'rep3');
  await insertOpportunity(customerOfRep3, 'rep3', 'Rep3 secret deal');
  await insertQuote(customerOfRep3, 'rep3', 'QT-SECRET-1');
  // A customer of rep1 on which manager1 made an opportunity for rep2 (in manager1's team, not rep1's own).
  customerOfRep1 = await insertCustomer(t, 'rep1');
  await insertOpportunity(customerOfRep1, 'rep2', 'Rep2 deal on rep1 customer');
  await insertOpportunity(customerOfRep1, 'rep1', 'Rep1 own deal');
});
afterAll(() => t.close());

describe('the contract form in scope', () => {
  it('opened for a customer out of scope answers 404 and names none of its records', async () => {
    const res = await rep1.get(`/contracts/new?customer_id=${customerOfRep3}`);
    expect(res.status, res.text.replace(/<[^>]+>/g, '').slice(0, 3000)).toBe(404);
    expect(res.text).not.toContain('Rep3 secret deal');
    expect(res.text).not.toContain('QT-SECRET-1');
    expect((await rep3.get(`/contracts/new?customer_id=${customerOfRep3}`)).text).toContain('Rep3 secret deal');
  });

  it('a rejected save for a customer out of scope shows no pickers of that customer (422)', async () => {
    const res = await postForm(rep1, '/contracts', { customer_id: String(customerOfRep3), title: '', currency: 'CNY' });
    expect(res.status).toBe(422);
    expect(res.text).not.toContain('Rep3 secret deal');
    expect(res.text).not.toContain('QT-SECRET-1');
  });

  it('lists only the opportunities of its customer the user may open, and refuses another owner\'s (422)', async () => {
    const page = await rep1.get(`/contracts/new?customer_id=${customerOfRep1}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Rep1 own deal');
    expect(page.text).not.toContain('Rep2 deal on rep1 customer');
    expect((await manager1.get(`/contracts/new?customer_id=${customerOfRep1}`)).text).toContain('Rep2 deal on rep1 customer');
    const hidden = await t.db('opportunities').where({ title: 'Rep2 deal on rep1 customer' }).first('id');
    const res = await postForm(rep1, '/contracts', {
      customer_id: String(customerOfRep1), opportunity_id: String(hidden.id), title: 'Linked to a hidden deal', currency: 'CNY',
      'items[0][product_name]': 'Service', 'items[0][quantity]': '1', 'items[0][unit_price]': '10',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-opportunity_id"');
  });
});
