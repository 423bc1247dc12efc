import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// The customer list's total is read from customer_counts, kept by the customer writes: after every
// kind of write the summary must equal a count of the customers themselves, and the lists must show it.
let t: TestApp;
let rep1: Agent;
let manager1: Agent;
let admin: Agent;

beforeAll(async () => {
  t = await createTestApp({ customers: 30 });
  [rep1, manager1, admin] = await Promise.all(['rep1', 'manager1', 'admin'].map((u) => loginAs(t.app, u)));
});
afterAll(() => t.close());

async function counted(): Promise<Record<number, number>> {
  const rows: Array<{ owner_id: number; n: number | string }> = await t.db('customers').whereNull('deleted_at').groupBy('owner_id').select('owner_id', t.db.raw('count(*) as n'));
  return Object.fromEntries(rows.map((r) => [Number(r.owner_id), Number(r.n)]));
}
async function summary(): Promise<Record<number, number>> {
  const rows: Array<{ owner_id: number; live: number }> = await t.db('customer_counts').where('live', '<>', 0).select('owner_id', 'live');
  return Object.fromEntries(rows.map((r) => [Number(r.owner_id), Number(r.live)]));
}
const totalOn = async (agent: Agent, path = '/customers') =>
  /data-test="total">\s*([^<]*?)\s*</.exec((await agent.get(path).set('Accept-Language', 'en').expect(200)).text)?.[1] ?? '';
const word = (n: number) => new RegExp(`\\b${n}\\b`);
const live = async (ownerIds?: number[]) => {
  const query = t.db('customers').whereNull('deleted_at');
  if (ownerIds) query.whereIn('owner_id', ownerIds);
  return Number((await query.count({ n: '*' }).first())?.n);
};

describe('the customer counts', () => {
  let id: number;

  it('start equal to the customers the demo seeded', async () => {
    expect(await summary()).toEqual(await counted());
    expect(Object.keys(await summary()).length).toBeGreaterThan(1);
  });

  it('follow a create, a move to another owner, a delete and a restore', async () => {
    const [rep1Id, rep2Id] = [await t.userId('rep1'), await t.userId('rep2')];
    const before = await summary();
    const created = await postForm(rep1, '/customers', { kind: 'company', name: '计数客户', status: 'new' });
    id = Number(/\/customers\/(\d+)$/.exec(created.headers.location)![1]);
    expect((await summary())[rep1Id]).toBe(before[rep1Id] + 1);

    await postForm(manager1, `/customers/${id}`, { kind: 'company', name: '计数客户', status: 'new', owner_id: rep2Id, version: 1 }).expect(303);
    expect((await summary())[rep1Id]).toBe(before[rep1Id]);
    expect((await summary())[rep2Id]).toBe(before[rep2Id] + 1);

    await postForm(manager1, `/customers/${id}/delete`).expect(303);
    expect((await summary())[rep2Id]).toBe(before[rep2Id]);
    await postForm(manager1, `/customers/${id}/restore`).expect(303);
    expect((await summary())[rep2Id]).toBe(before[rep2Id] + 1);
    expect(await summary()).toEqual(await counted());
  });

  it("give each role's list its exact total, and a page past the end its total without rows", async () => {
    const [rep1Id, rep2Id] = [await t.userId('rep1'), await t.userId('rep2')];
    expect(await totalOn(rep1)).toMatch(word(await live([rep1Id])));
    expect(await totalOn(manager1)).toMatch(word(await live([rep1Id, rep2Id, await t.userId('manager1')])));
    expect(await totalOn(manager1, `/customers?owner_id=${rep2Id}`)).toMatch(word(await live([rep2Id])));
    expect(await totalOn(admin)).toMatch(word(await live()));
    const beyond = (await rep1.get('/customers?page=50').set('Accept-Language', 'en').expect(200)).text;
    expect(beyond).not.toMatch(/<a href="\/customers\/\d+">/);
    expect(/data-test="total">\s*([^<]*?)\s*</.exec(beyond)?.[1]).toMatch(word(await live([rep1Id])));
  });
});
