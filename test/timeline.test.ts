import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { toDbTime } from '../src/db/time.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
const agents: Record<string, Agent> = {};
let customerId: number;
let otherCustomerId: number;
type Key = { kind: 'followup' | 'stage' | 'contract'; id: number; at: string };
const expected: Key[] = [];

const insertId = async (table: string, row: Record<string, unknown>) => Number((await t.db(table).insert(row))[0]);
/** "2026-01-01 00:00:00" plus n hours. */
const hour = (n: number) => toDbTime(new Date(Date.UTC(2026, 0, 1) + n * 3600 * 1000));

beforeAll(async () => {
  t = await createTestApp({ customers: 12 });
  for (const username of ['admin', 'manager1', 'manager2', 'rep1', 'rep3']) agents[username] = await loginAs(t.app, username);
  const rep1 = await t.userId('rep1');
  const manager1 = await t.userId('manager1');
  const now = toDbTime();
  const branch = await ownerBranchId(t.db, rep1);
  const customer = (name: string) =>
    insertId('customers', {
      kind: 'company', name, status: 'new', owner_id: rep1, owner_branch_id: branch, created_by: rep1, version: 1, created_at: now, updated_at: now,
    });
  customerId = await customer('时间线客户');
  otherCustomerId = await customer('另一个客户');
  const stages = await t.db('pipeline_stages').orderBy('sort').select('id', 'code');
  const stage = (code: string) => stages.find((s) => s.code === code)!.id;
  const opportunity = await insertId('opportunities', {
    customer_id: customerId, title: '年度框架采购🚀', stage_id: stage('proposal'), stage_entered_at: now, owner_id: rep1, created_by: rep1, created_at: now, updated_at: now,
  });
  const contract = await insertId('contracts', {
    number: 'HT-2026-000042', customer_id: customerId, title: '框架合同', owner_id: rep1, created_by: rep1, created_at: now, updated_at: now,
  });
  const contact = await insertId('contacts', { customer_id: customerId, name: '钱多多', created_by: rep1, version: 1, created_at: now, updated_at: now });

  // 25 follow-ups, 5 stage changes, 5 contract events, interleaved in time (one pair at the same minute).
  for (let n = 0; n < 25; n++) {
    const at = hour(n * 3);
    const id = await insertId('followups', {
      customer_id: customerId, contact_id: n === 24 ? contact : null, type: n % 2 ? 'visit' : 'call', occurred_at: at,
      content: `跟进 #${n} 😀`, next_action: n === 24 ? '寄样品' : null, created_by: rep1, created_at: now, updated_at: now,
    });
    expected.push({ kind: 'followup', id, at });
  }
  const path = ['initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'proposal'];
  for (let n = 0; n < 5; n++) {
    const at = n === 4 ? hour(24 * 3) : hour(n * 14 + 1); // the last at the same time as follow-up #24
    const id = await insertId('opportunity_stage_history', {
      opportunity_id: opportunity, customer_id: customerId, from_stage_id: n === 0 ? null : stage(path[n - 1]), to_stage_id: stage(path[n]),
      changed_by: rep1, changed_at: at,
    });
    expected.push({ kind: 'stage', id, at });
  }
  const actions = ['submitted', 'rejected', 'submitted', 'approved', 'signed'];
  for (let n = 0; n < 5; n++) {
    const at = hour(n * 15 + 2);
    const id = await insertId('contract_events', {
      contract_id: contract, customer_id: customerId, action: actions[n], comment: n === 1 ? '价格需要再谈 💬' : null,
      actor_id: actions[n] === 'submitted' || actions[n] === 'signed' ? rep1 : manager1, at,
    });
    expected.push({ kind: 'contract', id, at });
  }
  // Another customer's history must not leak in.
  await insertId('followups', { customer_id: otherCustomerId, type: 'call', occurred_at: hour(500), content: 'Not this customer', created_by: rep1, created_at: now, updated_at: now });
  expected.sort((a, b) => (a.at !== b.at ? (a.at < b.at ? 1 : -1) : a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : b.id - a.id));
});
afterAll(() => t.close());

const entriesOf = (html: string) => [...html.matchAll(/data-entry="(\w+)-(\d+)"/g)].map((m) => `${m[1]}-${m[2]}`);
const keyOf = (k: Key) => `${k.kind}-${k.id}`;

describe('the customer timeline', () => {
  it('merges follow-ups, stage changes and contract events newest first, 20 per page', async () => {
    const first = await agents.rep1.get(`/customers/${customerId}`);
    expect(first.status).toBe(200);
    expect(entriesOf(first.text)).toEqual(expected.slice(0, 20).map(keyOf));
    const second = await agents.rep1.get(`/customers/${customerId}?tl_page=2`);
    expect(entriesOf(second.text)).toEqual(expected.slice(20).map(keyOf));
    expect(entriesOf(second.text)).toHaveLength(15);
    expect(first.text).toContain(`href="/customers/${customerId}?tl_page=2#timeline"`);
    expect(first.text).toContain('共 35 条');
    expect(first.text).not.toContain('Not this customer');
    // A page past the end is empty, not an error.
    const beyond = await agents.rep1.get(`/customers/${customerId}?tl_page=9`);
    expect(beyond.status).toBe(200);
    expect(beyond.text).toContain('data-test="timeline-empty"');
    // The audit history stays on the page.
    expect(first.text).toContain('data-test="history"');
  });

  it('says who did what, and when in the user\'s time zone', async () => {
    const html = (await agents.rep1.get(`/customers/${customerId}`)).text;
    // Follow-up #24 at 2026-01-04 00:00 UTC is 08:00 in Asia/Shanghai.
    expect(html).toMatch(/跟进 #24 😀/);
    expect(html).toMatch(/2026\D01\D04\D? 08:00/);
    expect(html).toContain('钱多多');
    expect(html).toContain('寄样品');
    expect(html).toContain('将“年度框架采购🚀”从谈判审核推进到方案报价');
    expect(html).toContain('李明');
    const older = (await agents.rep1.get(`/customers/${customerId}?tl_page=2`)).text + html;
    expect(older).toContain('新建商机“年度框架采购🚀”，阶段：初步接触');
    // The contract's number leads to it.
    expect(older).toMatch(/审批通过了合同\s*<a href="\/contracts\/\d+">HT-2026-000042<\/a>/);
    expect(older).toMatch(/驳回了合同\s*<a href="\/contracts\/\d+">HT-2026-000042<\/a>/);
    expect(older).toContain('价格需要再谈 💬');
    expect(older).toContain('王经理');
  });

  it('puts a newly logged follow-up on top', async () => {
    const res = await postForm(agents.rep1, '/followups', { customer_id: customerId, type: 'wechat', content: '刚刚在微信上聊过 ✅', occurred_at: '', from: 'customer' });
    expect(res.status).toBe(303);
    const html = (await agents.rep1.get(`/customers/${customerId}`)).text;
    const newest = await t.db('followups').where({ customer_id: customerId }).orderBy('id', 'desc').first('id');
    expect(entriesOf(html)[0]).toBe(`followup-${newest.id}`);
    expect(html).toContain('刚刚在微信上聊过 ✅');
    expect(html).toContain('共 36 条');
  });

  it('shows only to users who see the customer (404 otherwise)', async () => {
    expect((await agents.manager1.get(`/customers/${customerId}?tl_page=2`)).status).toBe(200);
    expect((await agents.admin.get(`/customers/${customerId}`)).status).toBe(200);
    expect((await agents.rep3.get(`/customers/${customerId}?tl_page=2`)).status).toBe(404);
    expect((await agents.manager2.get(`/customers/${customerId}`)).status).toBe(404);
  });

  it('treats a malformed page number as the first page', async () => {
    const res = await agents.rep1.get(`/customers/${customerId}?tl_page=abc`);
    expect(res.status).toBe(200);
    expect(entriesOf(res.text)[0]).toBe(entriesOf((await agents.rep1.get(`/customers/${customerId}`)).text)[0]);
  });
});
