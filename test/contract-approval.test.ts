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
// The trail's status changes; the draft's own 'created' event is checked in timeline.contracts.test.ts.
const events = (id: number) =>
  t.db('contract_events').where({ contract_id: id }).whereNot('action', 'created').orderBy('id').select('action', 'comment', 'actor_id', 'customer_id');
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

    const submitted = await act(rep1, id, 'submit');
    expect(submitted.status).toBe(303);
    let row = await contract(id);
    expect(row.status).toBe('pending_approval');
    expect(row.approver_id).toBe(ids.manager1);

    // rep1 has no approve permission at all: 403; manager2 cannot see rep1's contract: 404.
    expect((await act(rep1, id, 'approve')).status).toBe(403);
    expect((await act(manager2, id, 'approve')).status).toBe(404);
    expect((await manager2.get(`/contracts/${id}`)).status).toBe(404);
    expect((await contract(id)).status).toBe('pending_approval');

    const page = await manager1.get(`/contracts/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-test="approve"');
    const approved = await act(manager1, id, 'approve', { comment: 'OK 👍' });
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
    expect((await act(rep2, id, 'submit')).status).toBe(303);
    expect((await contract(id)).approver_id).toBe(ids.manager1);
    expect((await act(manager1, id, 'approve')).status).toBe(303);
    expect((await contract(id)).status).toBe('approved');
  });

  it("a manager's own contract goes up the tree, and to an admin at the top", async () => {
    const id = await draftAs(manager1, 'rep1');
    // manager1 owns it: Sales East's manager is the owner, Sales East has no parent → admin.
    expect((await act(manager1, id, 'submit')).status).toBe(303);
    expect((await contract(id)).approver_id).toBe(ids.admin);
    // manager1 is in scope but not the approver: 403.
    expect((await act(manager1, id, 'approve')).status).toBe(403);
    expect((await act(admin, id, 'approve')).status).toBe(303);
  });

  it('an admin may approve a contract assigned to a manager', async () => {
    const id = await draftAs(rep1, 'rep1');
    await act(rep1, id, 'submit');
    expect((await contract(id)).approver_id).toBe(ids.manager1);
    expect((await act(admin, id, 'approve')).status).toBe(303);
    expect((await contract(id)).status).toBe('approved');
  });

  it('reject needs a comment (422, nothing changed) and returns the contract to draft', async () => {
    const id = await draftAs(rep1, 'rep1');
    await act(rep1, id, 'submit');
    const missing = await act(manager1, id, 'reject', { comment: '   ' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('data-test="error-comment"');
    expect((await contract(id)).status).toBe('pending_approval');
    // Outsiders learn nothing, comment or not.
    expect((await act(manager2, id, 'reject', { comment: '' })).status).toBe(404);
    expect((await act(rep1, id, 'reject', { comment: 'x' })).status).toBe(403);

    const rejected = await act(manager1, id, 'reject', { comment: '价格太低' });
    expect(rejected.status).toBe(303);
    expect((await contract(id)).status).toBe('draft');
    expect((await events(id)).map((e) => [e.action, e.comment])).toEqual([
      ['submitted', null],
      ['rejected', '价格太低'],
    ]);
    const page = await rep1.get(`/contracts/${id}`);
    expect(page.text).toContain('价格太低');
  });

  it('every workflow button carries the version: a stale or missing one is a 409 with the page and a notice, nothing changed', async () => {
    const id = await draftAs(rep1, 'rep1');
    /** Posts `action` with `version` (or none) and checks that nothing changed: row, trail, audit. */
    const refused = async (agent: Agent, action: string, version: number | null, fields: Record<string, string> = {}) => {
      const [row, trail, audit] = [await contract(id), await events(id), await audits(id)];
      const res = await postForm(agent, `/contracts/${id}/${action}`, { ...(version === null ? {} : { version }), ...fields });
      expect(res.status).toBe(409);
      expect(res.text).toContain('data-test="notice"');
      // The page is the contract as it is now: whatever buttons it offers carry the current version.
      if (/action="\/contracts\/\d+\/(submit|approve|reject|sign|terminate)"/.test(res.text)) {
        expect(res.text).toContain(`name="version" value="${row.version}"`);
      }
      expect(await contract(id)).toEqual(row);
      expect(await events(id)).toEqual(trail);
      expect(await audits(id)).toEqual(audit);
      return res;
    };
    const formOf = (html: string, action: string) => {
      const start = html.indexOf(`action="/contracts/${id}/${action}"`);
      expect(start, `the ${action} form`).toBeGreaterThan(-1);
      return html.slice(start, html.indexOf('</form>', start));
    };
    const buttonsCarry = async (agent: Agent, actions: string[]) => {
      const { version } = await contract(id);
      const page = await agent.get(`/contracts/${id}`);
      for (const action of actions) expect(formOf(page.text, action)).toContain(`name="version" value="${version}"`);
    };

    await buttonsCarry(rep1, ['submit']);
    const draft = (await contract(id)).version;
    await refused(rep1, 'submit', null, { comment: 'kept 🙂' });
    // Someone saves the draft after the page was opened: its submit button is stale.
    const row = await contract(id);
    await postForm(rep1, `/contracts/${id}`, {
      customer_id: String(row.customer_id), title: 'Saved meanwhile', currency: 'CNY', version: row.version,
      'items[0][product_name]': 'Licence', 'items[0][quantity]': '3', 'items[0][unit_price]': '33.33', 'items[0][discount_percent]': '10',
    });
    const kept = await refused(rep1, 'submit', draft, { comment: 'kept 🙂' });
    expect(kept.text).toContain('kept 🙂');
    expect(kept.text).toContain('Saved meanwhile');

    expect((await act(rep1, id, 'submit')).status).toBe(303);
    const pending = (await contract(id)).version;
    await buttonsCarry(manager1, ['approve', 'reject']);
    await refused(manager1, 'approve', null);
    await refused(manager1, 'reject', null, { comment: 'no version' });
    await refused(manager1, 'reject', pending - 1, { comment: 'stale' });
    // Submitting again from the draft's page: stale.
    await refused(rep1, 'submit', pending - 1);

    expect((await act(manager1, id, 'approve')).status).toBe(303);
    // Approving twice from the same page: the first click moved the version on.
    await refused(manager1, 'approve', pending);
    const approved = (await contract(id)).version;
    await buttonsCarry(rep1, ['sign', 'terminate']);
    await refused(rep1, 'sign', null, { sign_date: '2026-11-20' });
    await refused(rep1, 'terminate', null, { comment: 'no version' });

    expect((await act(rep1, id, 'sign', { sign_date: '2026-11-20' })).status).toBe(303);
    await refused(rep1, 'sign', approved, { sign_date: '2026-11-21' });
    await refused(rep1, 'terminate', approved, { comment: 'stale' });
    // A step the status no longer allows, on the current version, is refused the same way.
    await refused(rep1, 'submit', (await contract(id)).version);
    expect((await act(rep1, id, 'terminate', { comment: 'Done' })).status).toBe(303);
    expect((await contract(id)).status).toBe('terminated');
  });

  it('a new total on an approved contract sends it back to approval; the same total keeps it approved', async () => {
    const id = await draftAs(rep1, 'rep1', [['Service', '1', '1000.00']]);
    await act(rep1, id, 'submit');
    await act(manager1, id, 'approve');
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
    // Its history goes with it, to the customer's timeline it now belongs on.
    expect(await t.db('contract_events').where({ contract_id: byCustomer }).distinct().pluck('customer_id')).toEqual([other]);
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
    await act(rep1, id, 'submit');
    await act(manager1, id, 'approve');
    const noDate = await act(rep1, id, 'sign', { sign_date: '' });
    expect(noDate.status).toBe(422);
    expect(noDate.text).toContain('data-test="error-sign_date"');
    expect((await act(rep1, id, 'sign', { sign_date: '2026-02-30' })).status).toBe(422);
    expect((await act(rep1, id, 'sign', { sign_date: '2026-11-20' })).status).toBe(303);
    let row = await contract(id);
    expect(row.status).toBe('signed');
    expect(String(row.sign_date).slice(0, 10)).toBe('2026-11-20');

    const noReason = await act(rep1, id, 'terminate', { comment: '' });
    expect(noReason.status).toBe(422);
    expect((await act(rep1, id, 'terminate', { comment: 'Customer went bankrupt' })).status).toBe(303);
    row = await contract(id);
    expect(row.status).toBe('terminated');
    expect((await events(id)).map((e) => e.action)).toEqual(['submitted', 'approved', 'signed', 'terminated']);
  });
});

describe('audit', () => {
  /** Makes the database refuse audit rows of these contracts, as a failing audit write would. */
  async function refuseAuditRows(contractIds: number[]): Promise<void> {
    const ids = contractIds.map(Number).join(', ');
    if (t.db.client.config.client === 'mysql2') {
      await t.db.raw(`CREATE TRIGGER refuse_contract_audit BEFORE INSERT ON audit_log FOR EACH ROW BEGIN
        IF NEW.entity = 'contract' AND NEW.entity_id IN (${ids}) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit refused'; END IF;
      END`);
    } else {
      await t.db.raw(`CREATE TRIGGER refuse_contract_audit BEFORE INSERT ON audit_log
        WHEN NEW.entity = 'contract' AND NEW.entity_id IN (${ids}) BEGIN SELECT RAISE(ABORT, 'audit refused'); END`);
    }
  }

  it('reject, sign and terminate each write one audit row, in the transaction of the change', async () => {
    const toReject = await draftAs(rep1, 'rep1');
    expect((await act(rep1, toReject, 'submit')).status).toBe(303);
    const toSign = await approvedContract();
    const toTerminate = await approvedContract();
    expect((await act(rep1, toTerminate, 'sign', { sign_date: '2026-11-01' })).status).toBe(303);
    const steps: Array<{ agent: Agent; actor: number; id: number; action: string; fields: Record<string, string>; from: string; to: string }> = [
      { agent: manager1, actor: ids.manager1, id: toReject, action: 'reject', fields: { comment: 'Too cheap 太便宜' }, from: 'pending_approval', to: 'draft' },
      { agent: rep1, actor: ids.rep1, id: toSign, action: 'sign', fields: { sign_date: '2026-11-20' }, from: 'approved', to: 'signed' },
      { agent: rep1, actor: ids.rep1, id: toTerminate, action: 'terminate', fields: { comment: 'Customer went bankrupt' }, from: 'signed', to: 'terminated' },
    ];

    // When the audit row cannot be written, the step is undone with it: status, version and trail as they were.
    await refuseAuditRows(steps.map((s) => s.id));
    try {
      for (const { agent, id, action, fields } of steps) {
        const [row, trail, audit] = [await contract(id), await events(id), await audits(id)];
        expect((await act(agent, id, action, fields)).status, action).toBe(500);
        expect(await contract(id), action).toEqual(row);
        expect(await events(id), action).toEqual(trail);
        expect(await audits(id), action).toEqual(audit);
      }
    } finally {
      await t.db.raw('DROP TRIGGER refuse_contract_audit');
    }

    for (const { agent, actor, id, action, fields, from, to } of steps) {
      const before = (await audits(id)).length;
      expect((await act(agent, id, action, fields)).status, action).toBe(303);
      const written = (await audits(id)).slice(before);
      expect(written, action).toHaveLength(1);
      expect(written[0], action).toMatchObject({ action: 'update', actor_id: actor });
      const changes = JSON.parse(written[0].changes);
      expect(changes.status, action).toEqual({ before: from, after: to });
      if (action === 'sign') expect(changes.sign_date).toEqual({ before: null, after: '2026-11-20' });
      expect((await contract(id)).status).toBe(to);
    }
  });
});
