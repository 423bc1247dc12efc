import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
const agents: Record<string, Agent> = {};
const owned: Record<string, number[]> = {};

beforeAll(async () => {
  t = await createTestApp({ customers: 24 });
  for (const username of ['admin', 'manager1', 'manager2', 'rep1', 'rep2', 'rep3']) {
    agents[username] = await loginAs(t.app, username);
    const rows = await t.db('customers').where('owner_id', await t.userId(username)).select('id');
    owned[username] = rows.map((r) => r.id);
  }
});
afterAll(() => t.close());

// Who may see whose customers, from CONTRACT.md's demo organisation.
const visibleOwners: Record<string, string[]> = {
  admin: ['rep1', 'rep2', 'rep3'],
  manager1: ['rep1', 'rep2'], // Sales East and its sub-team East Team 2
  manager2: ['rep3'],
  rep1: ['rep1'],
  rep2: ['rep2'],
  rep3: ['rep3'],
};
const allOwners = ['rep1', 'rep2', 'rep3'];

function idsOnPage(html: string): number[] {
  return [...html.matchAll(/href="\/customers\/(\d+)"/g)].map((m) => Number(m[1]));
}

describe.each(Object.keys(visibleOwners))('%s', (username) => {
  const visible = () => visibleOwners[username].flatMap((u) => owned[u]).sort((a, b) => a - b);
  const hidden = () => allOwners.filter((u) => !visibleOwners[username].includes(u)).flatMap((u) => owned[u]);

  it('lists exactly the customers in scope', async () => {
    const res = await agents[username].get('/customers?per_page=100');
    expect(res.status).toBe(200);
    expect(idsOnPage(res.text).sort((a, b) => a - b)).toEqual(visible());
    expect(res.text).toContain(`共 ${visible().length} 条`);
  });

  it('opens and edits a customer in scope', async () => {
    const id = visible()[0];
    expect((await agents[username].get(`/customers/${id}`)).status).toBe(200);
    expect((await agents[username].get(`/customers/${id}/edit`)).status).toBe(200);
  });

  it('gets 404 for every route of a customer out of scope', async () => {
    for (const id of hidden()) {
      const agent = agents[username];
      expect((await agent.get(`/customers/${id}`)).status).toBe(404);
      expect((await agent.get(`/customers/${id}/edit`)).status).toBe(404);
      expect((await agent.get(`/customers/${id}/delete`)).status).toBe(404);
      const update = await postForm(agent, `/customers/${id}`, { version: 1, kind: 'company', name: 'Hijack', status: 'new' });
      expect(update.status).toBe(404);
      expect((await postForm(agent, `/customers/${id}/delete`)).status).toBe(404);
    }
    const untouched = await t.db('customers').whereIn('id', hidden()).where('name', 'Hijack').count({ n: '*' }).first();
    expect(Number(untouched?.n)).toBe(0);
    expect(await t.db('customers').whereIn('id', hidden()).whereNotNull('deleted_at').first()).toBeUndefined();
  });

  it('finds nothing out of scope with the search box', async () => {
    for (const id of hidden().slice(0, 3)) {
      const customer = await t.db('customers').where({ id }).first();
      const res = await agents[username].get(`/customers?q=${encodeURIComponent(customer.name)}`);
      expect(idsOnPage(res.text)).not.toContain(id);
    }
  });
});

describe('permissions', () => {
  it('a rep may not restore (403), a manager may', async () => {
    const id = owned.rep1[0];
    await t.db('customers').where({ id }).update({ deleted_at: '2026-01-01 00:00:00' });
    expect((await postForm(agents.rep1, `/customers/${id}/restore`)).status).toBe(403);
    expect((await agents.rep1.get(`/customers/${id}`)).status).toBe(404);
    expect((await postForm(agents.manager1, `/customers/${id}/restore`)).status).toBe(303);
  });

  it('a manager may not restore out of scope (404)', async () => {
    const id = owned.rep3[0];
    await t.db('customers').where({ id }).update({ deleted_at: '2026-01-01 00:00:00' });
    expect((await postForm(agents.manager1, `/customers/${id}/restore`)).status).toBe(404);
    expect((await postForm(agents.manager2, `/customers/${id}/restore`)).status).toBe(303);
  });

  it('a rep cannot hand a customer to someone else: the owner field is ignored', async () => {
    const res = await postForm(agents.rep1, '/customers', {
      kind: 'company',
      name: '指定负责人测试',
      status: 'new',
      owner_id: await t.userId('rep3'),
    });
    expect(res.status).toBe(303);
    const created = await t.db('customers').where({ name: '指定负责人测试' }).first();
    expect(created.owner_id).toBe(await t.userId('rep1'));
  });

  it('a manager cannot assign outside the department tree (422)', async () => {
    const res = await postForm(agents.manager1, '/customers', {
      kind: 'company',
      name: 'Out of tree',
      status: 'new',
      owner_id: await t.userId('rep3'),
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-owner_id"');
  });

  it('a manager assigns inside the department tree', async () => {
    const res = await postForm(agents.manager1, '/customers', {
      kind: 'company',
      name: 'For rep2',
      status: 'new',
      owner_id: await t.userId('rep2'),
    });
    expect(res.status).toBe(303);
    expect((await t.db('customers').where({ name: 'For rep2' }).first()).owner_id).toBe(await t.userId('rep2'));
  });
});
