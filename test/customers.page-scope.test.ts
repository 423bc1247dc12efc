import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCustomer } from './support/records.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// A customer's page shows only the opportunities and contracts the viewer may open: a manager's
// opportunity for another rep on rep1's customer is neither in rep1's follow-up picker nor on
// rep1's timeline, which says how many entries it left out; the manager sees them all.

let t: TestApp;
let rep1: Agent;
let manager1: Agent;
let customerId: number;

beforeAll(async () => {
  t = await createTestApp();
  [rep1, manager1] = await Promise.all(['rep1', 'manager1'].map((u) => loginAs(t.app, u)));
  customerId = await insertCustomer(t, 'rep1');
  const stage = await t.db('pipeline_stages').where('kind', 'open').orderBy('sort').first('id');
  for (const [owner, title] of [['rep2', 'Rep2 hidden deal'], ['rep1', 'Rep1 visible deal']]) {
    const res = await postForm(manager1, '/opportunities', {
      customer_id: String(customerId), title, amount: '1000', currency: 'CNY', stage_id: String(stage.id), owner_id: String(await t.userId(owner)),
    });
    expect(res.status, res.text.slice(0, 500)).toBe(303);
  }
  const hidden = await t.db('opportunities').where({ title: 'Rep2 hidden deal' }).first('id');
  const res = await postForm(manager1, '/followups', {
    customer_id: String(customerId), type: 'call', content: 'Talked about the hidden deal', opportunity_id: String(hidden.id),
  });
  expect(res.status).toBe(303);
});
afterAll(() => t.close());

describe('the customer page in the viewer\'s scope', () => {
  it('lists only the opportunities rep1 may open, and says how many timeline entries it left out', async () => {
    const page = await rep1.get(`/customers/${customerId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Rep1 visible deal');
    expect(page.text).not.toContain('Rep2 hidden deal');
    expect(page.text).toContain('Talked about the hidden deal');
    expect(page.text).toContain('data-test="timeline-hidden"');
    const hidden = await t.db('opportunities').where({ title: 'Rep2 hidden deal' }).first('id');
    expect((await rep1.get(`/opportunities/${hidden.id}`)).status).toBe(404);
  });

  it('shows the manager every entry', async () => {
    const page = await manager1.get(`/customers/${customerId}`);
    expect(page.text).toContain('Rep2 hidden deal');
    expect(page.text).not.toContain('data-test="timeline-hidden"');
  });

  it('refuses a follow-up linked to an opportunity rep1 may not open (422)', async () => {
    const hidden = await t.db('opportunities').where({ title: 'Rep2 hidden deal' }).first('id');
    const res = await postForm(rep1, '/followups', { customer_id: String(customerId), type: 'call', content: 'x', opportunity_id: String(hidden.id) });
    expect(res.status).toBe(422);
  });
});
