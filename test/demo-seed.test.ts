import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../seeds/demo.js';
import { createTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ customers: 40, sales: true });
});
afterAll(() => t.close());

async function countOwnedBy(username: string) {
  const ownerId = await t.userId(username);
  const count = async (query: ReturnType<TestApp['db']>) => Number((await query.count({ n: '*' }).first())?.n ?? 0);
  return {
    customers: await count(t.db('customers').where('owner_id', ownerId)),
    contacts: await count(t.db('contacts as k').join('customers as c', 'c.id', 'k.customer_id').where('c.owner_id', ownerId)),
    followUps: await count(t.db('followups as f').join('customers as c', 'c.id', 'f.customer_id').where('c.owner_id', ownerId)),
    opportunities: await count(t.db('opportunities').where('owner_id', ownerId)),
  };
}

describe('the demo seed', () => {
  it('gives every rep customers, contacts, follow-ups and opportunities (CONTRACT.md)', async () => {
    for (const rep of ['rep1', 'rep2', 'rep3']) {
      const owned = await countOwnedBy(rep);
      expect(owned.customers, rep).toBeGreaterThan(0);
      expect(owned.contacts, rep).toBeGreaterThan(0);
      expect(owned.followUps, rep).toBeGreaterThan(0);
      expect(owned.opportunities, rep).toBeGreaterThan(0);
    }
  });

  it('agrees with itself: a customer\'s last contact is its latest follow-up, each opportunity has its opening stage', async () => {
    const customers = await t.db('customers').whereNotNull('last_contact_at').select('id', 'last_contact_at');
    for (const c of customers) {
      const latest = await t.db('followups').where('customer_id', c.id).max({ at: 'occurred_at' }).first();
      expect(latest?.at, `customer ${c.id}`).toBe(c.last_contact_at);
    }
    const opportunities = await t.db('opportunities').select('id', 'stage_id');
    for (const o of opportunities) {
      const history = await t.db('opportunity_stage_history').where('opportunity_id', o.id).select('to_stage_id', 'from_stage_id');
      expect(history).toEqual([{ to_stage_id: o.stage_id, from_stage_id: null }]);
    }
  });

  it('adds nothing when run again', async () => {
    const before = await countOwnedBy('rep1');
    await seedDemo(t.db, { customers: 40, passwordHash: 'unused' });
    expect(await countOwnedBy('rep1')).toEqual(before);
  });
});
