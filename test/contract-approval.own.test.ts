import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCustomer } from './support/records.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// Nobody approves a contract they created or submitted: the approver is looked for past them (up
// the department tree, then an admin), and the approve and reject buttons refuse them (403).

let t: TestApp;
let manager1: Agent;
let admin: Agent;
let rep1: Agent;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  [manager1, admin, rep1] = await Promise.all(['manager1', 'admin', 'rep1'].map((u) => loginAs(t.app, u)));
  for (const u of ['manager1', 'admin', 'rep1', 'rep3', 'manager2']) ids[u] = await t.userId(u);
});
afterAll(() => t.close());

const contract = (id: number) => t.db('contracts').where({ id }).first();

async function act(agent: Agent, id: number, action: string, fields: Record<string, string> = {}) {
  const { version } = await contract(id);
  return postForm(agent, `/contracts/${id}/${action}`, { version: String(version), ...fields });
}

/** A draft created by `agent` for a customer of `owner`, owned by `owner`. */
async function draftBy(agent: Agent, owner: string): Promise<number> {
  const res = await postForm(agent, '/contracts', {
    customer_id: String(await insertCustomer(t, owner)), title: `Made for ${owner}`, currency: 'CNY', owner_id: String(ids[owner]),
    'items[0][product_name]': 'Service', 'items[0][quantity]': '1', 'items[0][unit_price]': '500',
  });
  expect(res.status, res.text.slice(0, 1500)).toBe(303);
  const id = Number(/\/contracts\/(\d+)$/.exec(res.headers.location)![1]);
  expect((await contract(id)).owner_id).toBe(ids[owner]);
  return id;
}

describe('approving one\'s own contract', () => {
  it('a manager who created and submitted his rep\'s contract is not its approver and cannot approve it (403)', async () => {
    const id = await draftBy(manager1, 'rep1');
    expect((await act(manager1, id, 'submit')).status).toBe(303);
    const submitted = await contract(id);
    expect(submitted.status).toBe('pending_approval');
    expect(submitted.approver_id).not.toBe(ids.manager1);
    expect(submitted.approver_id).toBe(ids.admin);
    expect((await act(manager1, id, 'approve')).status).toBe(403);
    expect((await act(manager1, id, 'reject', { comment: 'no' })).status).toBe(403);
    expect((await contract(id)).status).toBe('pending_approval');
    expect((await act(admin, id, 'approve')).status).toBe(303);
  });

  it('a manager who submitted a rep\'s draft is passed over, though the rep created it', async () => {
    const id = await draftBy(rep1, 'rep1');
    expect((await act(manager1, id, 'submit')).status).toBe(303);
    expect((await contract(id)).approver_id).toBe(ids.admin);
    expect((await act(manager1, id, 'approve')).status).toBe(403);
  });

  it('an admin may decide others\' contracts but not one the admin created', async () => {
    const id = await draftBy(admin, 'rep3');
    expect((await act(admin, id, 'submit')).status).toBe(303);
    expect((await contract(id)).approver_id).toBe(ids.manager2);
    expect((await act(admin, id, 'approve')).status).toBe(403);
    const manager2 = await loginAs(t.app, 'manager2');
    expect((await act(manager2, id, 'approve')).status).toBe(303);
  });
});
