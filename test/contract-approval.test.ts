import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let rep1: Agent;
let rep2: Agent;
let manager1: Agent;
let manager2: Agent;
let admin: Agent;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  [rep1, rep2, manager1, manager2, admin] = await Promise.all(['rep1', 'rep2', 'manager1', 'manager2', 'admin'].map((u) => loginAs(t.app, u)));
  for (const u of ['rep1', 'rep2', 'manager1', 'manager2', 'admin']) ids[u] = await t.userId(u);
});
afterAll(() => t.close());

async function customerOf(username: string): Promise<number> {
  const row = await t.db('customers').where({ owner_id: ids[username] }).whereNull('deleted_at').orderBy('id').first('id');
  return row.id;
}

/** A draft contract created through the form; returns its id. */
async function draftAs(agent: Agent, owner: string, lines: Array<[string, string, string, string?]> = [['Licence', '3', '33.33', '10']]) {
  const fields: Record<string, string> = { customer_id: String(await customerOf(owner)), title: `Contract of ${owner}`, currency: 'CNY' };
  lines.forEach(([name, quantity, price, discount], i) => {
    fields[`items[${i}][product_name]`] = name;
    fields[`items[${i}][quantity]`] = quantity;
    fields[`items[${i}][unit_price]`] = price;
    fields[`items[${i}][discount_percent]`] = discount ?? '';
  });
  const res = await postForm(agent, '/contracts', fields);
  expect(res.status, res.text.slice(0, 2000)).toBe(303);
  return Number(/\/contracts\/(\d+)$/.exec(res.headers.location)![1]);
}

const contract = (id: number) => t.db('contracts').where({ id }).first();
const events = (id: number) => t.db('contract_events').where({ contract_id: id }).orderBy('id').select('action', 'comment', 'actor_id', 'customer_id');
const audits = (id: number) => t.db('audit_log').where({ entity: 'contract', entity_id: id }).orderBy('id');

/** A workflow button pressed on a page showing the contract as it is now (its current version). */
async function act(agent: Agent, id: number, action: string, fields: Record<string, string> = {}) {
  const { version } = await contract(id);
  return postForm(agent, `/contracts/${id}/${action}`, { version, ...fields });
}

/** A contract of rep1 for `price` CNY, submitted and approved by manager1. */
async function approvedContract(price = '1000.00'): Promise<number> {
  const id = await draftAs(rep1, 'rep1', [['Service', '1', price]]);
  expect((await act(rep1, id, 'submit')).status).toBe(303);
  expect((await act(manager1, id, 'approve')).status).toBe(303);
  expect((await contract(id)).status).toBe('approved');
  return id;
}

describe('approval flow', () => {
  it('rep1 submits, manager1 is the approver and approves; the trail and audit record every step', async () => {
    const id = await draftAs(rep1, 'rep1');
    const draft = await contract(id);
    expect(draft.status).toBe('draft');
    expect(String(draft.total)).toMatch(/^89\.99?$/);

    const submitted = await postForm(rep1, `/contracts/${id}/submit`, { version: draft.version });
    expect(submitted.status).toBe(303);
    let row = await contract(id);
    expect(row.status).toBe('pending_approval');
    expect(row.approver_id).toBe(ids.manager1);

    // rep1 has no approve permission at all: 403; manager2 cannot see rep1's contract: 404.
    expect((await postForm(rep1, `/contracts/${id}/approve`)).status).toBe(403);
    expect((await postForm(manager2, `/contracts/${id}/approve`)).status).toBe(404);
    expect((await manager2.get(`/contracts/${id}`)).status).toBe(404);
    expect((await contract(id)).status).toBe('pending_approval');

    const page = await manager1.get(`/contracts/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-test="approve"');
    const approved = await postForm(manager1, `/contracts/${id}/approve`, { comment: 'OK 👍' });
    expect(approved.status).toBe(303);
    row = await contract(id);
    expect(row.status).toBe('approved');
    expect(String(row.approved_total)).toBe(String(row.total));

    expect(await events(id)).toEqual([
      { action: 'submitted', comment: null, actor_id: ids.rep1, customer_id: row.customer_id },
      { action: 'approved', comment: 'OK 👍', actor_id: ids.manager1, customer_id: row.customer_id },
    ]);
    const audits = await t.db('audit_log').where({ entity: 'contract', entity_id: id }).orderBy('id').pluck('action');
    expect(audits).toEqual(['create', 'update', 'update']);
  });

  it("rep2's contract goes to manager1: East Team 2 has no manager, its parent Sales East has", async () => {
    const id = await draftAs(rep2, 'rep2');
    expect((await postForm(rep2, `/contracts/${id}/submit`)).status).toBe(303);
    expect((await contract(id)).approver_id).toBe(ids.manager1);
    expect((await postForm(manager1, `/contracts/${id}/approve`)).status).toBe(303);
    expect((await contract(id)).status).toBe('approved');
  });

  it("a manager's own contract goes up the tree, and to an admin at the top", async () => {
    const id = await draftAs(manager1, 'rep1');
    // manager1 owns it: Sales East's manager is the owner, Sales East has no parent → admin.
    expect((await postForm(manager1, `/contracts/${id}/submit`)).status).toBe(303);
    expect((await contract(id)).approver_id).toBe(ids.admin);
    // manager1 is in scope but not the approver: 403.
    expect((await postForm(manager1, `/contracts/${id}/approve`)).status).toBe(403);
    expect((await postForm(admin, `/contracts/${id}/approve`)).status).toBe(303);
  });

  it('an admin may approve a contract assigned to a manager', async () => {
    const id = await draftAs(rep1, 'rep1');
    await postForm(rep1, `/contracts/${id}/submit`);
    expect((await contract(id)).approver_id).toBe(ids.manager1);
    expect((await postForm(admin, `/contracts/${id}/approve`)).status).toBe(303);
    expect((await contract(id)).status).toBe('approved');
  });

  it('reject needs a comment (422, nothing changed) and returns the contract to draft', async () => {
    const id = await draftAs(rep1, 'rep1');
    await postForm(rep1, `/contracts/${id}/submit`);
    const missing = await postForm(manager1, `/contracts/${id}/reject`, { comment: '   ' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('data-test="error-comment"');
    expect((await contract(id)).status).toBe('pending_approval');
    // Outsiders learn nothing, comment or not.
    expect((await postForm(manager2, `/contracts/${id}/reject`, { comment: '' })).status).toBe(404);
    expect((await postForm(rep1, `/contracts/${id}/reject`, { comment: 'x' })).status).toBe(403);

    const rejected = await postForm(manager1, `/contracts/${id}/reject`, { comment: '价格太低' });
    expect(rejected.status).toBe(303);
    expect((await contract(id)).status).toBe('draft');
    expect((await events(id)).map((e) => [e.action, e.comment])).toEqual([
      ['submitted', null],
      ['rejected', '价格太低'],
    ]);
    const page = await rep1.get(`/contracts/${id}`);
    expect(page.text).toContain('价格太低');
  });

  it('approving twice, or from a stale page, is a 409', async () => {
    const id = await draftAs(rep1, 'rep1');
    const version = (await contract(id)).version;
    await postForm(rep1, `/contracts/${id}/submit`, { version });
    expect((await postForm(rep1, `/contracts/${id}/submit`, { version })).status).toBe(409);
    await postForm(manager1, `/contracts/${id}/approve`);
    expect((await postForm(manager1, `/contracts/${id}/approve`)).status).toBe(409);
  });

  it('a new total on an approved contract sends it back to approval; the same total keeps it approved', async () => {
    const id = await draftAs(rep1, 'rep1', [['Service', '1', '1000.00']]);
    await postForm(rep1, `/contracts/${id}/submit`);
    await postForm(manager1, `/contracts/${id}/approve`);
    let row = await contract(id);
    expect(row.status).toBe('approved');
    const base = { customer_id: String(row.customer_id), title: row.title, currency: 'CNY', 'items[0][product_name]': 'Service', 'items[0][quantity]': '1' };

    // Same total, different lines and title: stays approved.
    const same = await postForm(rep1, `/contracts/${id}`, {
      ...base,
      version: row.version,
      title: 'Renamed',
      'items[0][quantity]': '2',
      'items[0][unit_price]': '500.00',
    });
    expect(same.status).toBe(303);
    row = await contract(id);
    expect(row.status).toBe('approved');
    expect(row.title).toBe('Renamed');

    const changed = await postForm(rep1, `/contracts/${id}`, { ...base, version: row.version, 'items[0][unit_price]': '1200.00' });
    expect(changed.status).toBe(303);
    row = await contract(id);
    expect(row.status).toBe('pending_approval');
    expect(row.approver_id).toBe(ids.manager1);
    expect(String(row.total)).toMatch(/^1200(\.00?)?$/);
    const next = await rep1.get(`/contracts/${id}`);
    expect(next.text).toContain('合同金额（总额、币种或客户）已变更，合同已重新提交审批');
    expect((await events(id)).map((e) => e.action)).toEqual(['submitted', 'approved', 'submitted']);

    // While pending, the form is closed.
    expect((await rep1.get(`/contracts/${id}/edit`)).status).toBe(303);
    expect((await postForm(rep1, `/contracts/${id}`, { ...base, version: row.version, 'items[0][unit_price]': '1.00' })).status).toBe(409);
  });

  it('another currency or another customer on an approved contract is a new amount: back to approval, audited', async () => {
    const edit = async (id: number, fields: Record<string, string>) => {
      const row = await contract(id);
      return postForm(rep1, `/contracts/${id}`, {
        customer_id: String(row.customer_id), title: row.title, currency: row.currency, version: row.version,
        'items[0][product_name]': 'Service', 'items[0][quantity]': '1', 'items[0][unit_price]': '1000.00', ...fields,
      });
    };

    // 1000 CNY approved is not 1000 USD.
    const byCurrency = await approvedContract();
    const approvedAt = (await audits(byCurrency)).length;
    expect((await edit(byCurrency, { currency: 'USD' })).status).toBe(303);
    let row = await contract(byCurrency);
    expect(row).toMatchObject({ status: 'pending_approval', currency: 'USD', approver_id: ids.manager1, approved_total: null });
    expect((await events(byCurrency)).map((e) => e.action)).toEqual(['submitted', 'approved', 'submitted']);
    let audit = (await audits(byCurrency)).slice(approvedAt);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'update', actor_id: ids.rep1 });
    expect(JSON.parse(audit[0].changes)).toMatchObject({
      currency: { before: 'CNY', after: 'USD' },
      status: { before: 'approved', after: 'pending_approval' },
    });

    // Nor is it owed by someone else.
    const byCustomer = await approvedContract();
    const first = (await contract(byCustomer)).customer_id;
    const other = (await t.db('customers').where({ owner_id: ids.rep1 }).whereNot('id', first).whereNull('deleted_at').orderBy('id').first('id')).id;
    const approvedFrom = (await audits(byCustomer)).length;
    expect((await edit(byCustomer, { customer_id: String(other) })).status).toBe(303);
    row = await contract(byCustomer);
    expect(row).toMatchObject({ status: 'pending_approval', customer_id: other, approved_total: null });
    expect((await events(byCustomer)).map((e) => e.action)).toEqual(['submitted', 'approved', 'submitted']);
    audit = (await audits(byCustomer)).slice(approvedFrom);
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].changes)).toMatchObject({
      customer_id: { before: first, after: other },
      status: { before: 'approved', after: 'pending_approval' },
    });

    // The same amount, currency and customer keeps the approval.
    const unchanged = await approvedContract();
    expect((await edit(unchanged, { title: 'Only renamed' })).status).toBe(303);
    expect((await contract(unchanged)).status).toBe('approved');
  });

  it('sign needs a date, terminate needs a reason', async () => {
    const id = await draftAs(rep1, 'rep1');
    await postForm(rep1, `/contracts/${id}/submit`);
    await postForm(manager1, `/contracts/${id}/approve`);
    const noDate = await postForm(rep1, `/contracts/${id}/sign`, { sign_date: '' });
    expect(noDate.status).toBe(422);
    expect(noDate.text).toContain('data-test="error-sign_date"');
    expect((await postForm(rep1, `/contracts/${id}/sign`, { sign_date: '2026-02-30' })).status).toBe(422);
    expect((await postForm(rep1, `/contracts/${id}/sign`, { sign_date: '2026-11-20' })).status).toBe(303);
    let row = await contract(id);
    expect(row.status).toBe('signed');
    expect(String(row.sign_date).slice(0, 10)).toBe('2026-11-20');

    const noReason = await postForm(rep1, `/contracts/${id}/terminate`, { comment: '' });
    expect(noReason.status).toBe(422);
    expect((await postForm(rep1, `/contracts/${id}/terminate`, { comment: 'Customer went bankrupt' })).status).toBe(303);
    row = await contract(id);
    expect(row.status).toBe('terminated');
    expect((await events(id)).map((e) => e.action)).toEqual(['submitted', 'approved', 'signed', 'terminated']);
  });
});
