import { expect } from 'vitest';
import { ownerBranchId } from '../../src/authz/data-scope.js';
import { postForm, type Agent, type TestApp } from './test-app.js';

// Records the race tests start from, made the way a user makes them where it matters (a contract
// goes through its form and approval) and inserted directly where it does not (a customer).

const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

export async function insertCustomer(t: TestApp, owner: string, name = `Race customer ${Math.random().toString(36).slice(2, 8)}`): Promise<number> {
  const ownerId = await t.userId(owner);
  const [id] = await t.db('customers').insert({
    kind: 'company', name, status: 'new', owner_id: ownerId, owner_branch_id: await ownerBranchId(t.db, ownerId),
    created_by: ownerId, version: 1, created_at: now(), updated_at: now(),
  });
  return Number(id);
}

/** A contract of `total` for a new customer of `owner`, created and (unless approver is null) approved over HTTP. */
export async function approvedContract(t: TestApp, owner: Agent, ownerName: string, total: string, approver: Agent | null): Promise<number> {
  const customerId = await insertCustomer(t, ownerName);
  const res = await postForm(owner, '/contracts', {
    customer_id: String(customerId), title: 'Race contract', currency: 'CNY',
    'items[0][product_name]': 'Service', 'items[0][quantity]': '1', 'items[0][unit_price]': total,
  });
  expect(res.status).toBe(303);
  const id = Number(/\/contracts\/(\d+)$/.exec(res.headers.location)![1]);
  if (approver) {
    const version = async () => String((await t.db('contracts').where({ id }).first()).version);
    expect((await postForm(owner, `/contracts/${id}/submit`, { version: await version() })).status).toBe(303);
    expect((await postForm(approver, `/contracts/${id}/approve`, { version: await version() })).status).toBe(303);
  }
  return id;
}

/** Statuses of `count` copies of a request fired at once. */
export async function atOnce(count: number, request: (i: number) => PromiseLike<{ status: number }>): Promise<number[]> {
  const responses = await Promise.all(Array.from({ length: count }, (_, i) => request(i)));
  return responses.map((r) => r.status);
}
