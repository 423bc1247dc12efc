import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { forgetReferenceData } from '../src/db/reference-cache.js';
import { toDbTime } from '../src/db/time.js';
import { addDays, localToday, monthOf } from '../src/i18n/calendar.js';
import { createTestApp, loginAs, type Agent, type TestApp } from './support/test-app.js';

// My day on a database with no demo customers, so each section holds exactly what a test put there.
let t: TestApp;
let rep1: Agent;
let manager1: Agent;
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const ZONE = 'Asia/Shanghai'; // every demo user's zone
const ago = (ms: number) => toDbTime(new Date(Date.now() - ms));
/** A calendar date as My day shows it to these users (Chinese by default). */
const shown = (date: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(`${date}T00:00:00Z`));

beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
  rep1 = await loginAs(t.app, 'rep1');
  manager1 = await loginAs(t.app, 'manager1');
});
afterAll(() => t.close());

async function customer(owner: string, name: string, fields: Record<string, unknown> = {}): Promise<number> {
  const ownerId = await t.userId(owner);
  const [id] = await t.db('customers').insert({
    kind: 'company', name, status: 'new', owner_id: ownerId, owner_branch_id: await ownerBranchId(t.db, ownerId), created_by: ownerId, version: 1,
    created_at: ago(90 * DAY), updated_at: ago(DAY), last_contact_at: ago(DAY), ...fields,
  });
  return typeof id === 'object' ? (id as { id: number }).id : id;
}

function section(html: string, name: string): string {
  const match = new RegExp(`data-test="myday-${name}"([\\s\\S]*?)</section>`).exec(html);
  if (!match) throw new Error(`No section ${name}`);
  return match[1];
}

describe('follow-ups due', () => {
  it('lists overdue and due-today customers of the rep, not tomorrow\'s and not someone else\'s', async () => {
    await customer('rep1', '逾期客户甲', { next_follow_up_at: ago(3 * DAY) });
    // The first minute of the user's today is due today; the first minute of tomorrow is not.
    const today = localToday(ZONE);
    const startOfToday = new Date(`${today}T00:00:00+08:00`);
    await customer('rep1', '今日客户乙', { next_follow_up_at: toDbTime(startOfToday) });
    await customer('rep1', '明日客户丙', { next_follow_up_at: toDbTime(new Date(startOfToday.getTime() + DAY)) });
    await customer('rep2', '别人的客户丁', { next_follow_up_at: ago(DAY) });
    const due = section((await rep1.get('/')).text, 'due');
    expect(due).toContain('逾期客户甲');
    expect(due).toContain('今日客户乙');
    expect(due).not.toContain('明日客户丙');
    expect(due).not.toContain('别人的客户丁');
    expect(due.indexOf('逾期客户甲')).toBeLessThan(due.indexOf('今日客户乙'));
  });

  it('gives a manager their own day, and their team\'s with the switch', async () => {
    await customer('manager1', '经理自己的客户', { next_follow_up_at: ago(DAY) });
    const mine = section((await manager1.get('/')).text, 'due');
    expect(mine).toContain('经理自己的客户');
    expect(mine).not.toContain('逾期客户甲');
    const team = section((await manager1.get('/?view=team')).text, 'due');
    expect(team).toContain('经理自己的客户');
    expect(team).toContain('逾期客户甲');
    expect(team).toContain('别人的客户丁'); // rep2, in the sub-team
    const manager2 = await loginAs(t.app, 'manager2');
    expect(section((await manager2.get('/?view=team')).text, 'due')).not.toContain('逾期客户甲');
  });

  it('offers a rep no team view, and ignores one asked for', async () => {
    const html = (await rep1.get('/?view=team')).text;
    expect(html).not.toContain('data-test="myday-switch"');
    expect(section(html, 'due')).not.toContain('别人的客户丁');
  });
});

describe('customers not contacted', () => {
  it('uses the setting\'s number of days, and counts a never-contacted customer only once it is that old', async () => {
    await customer('rep1', '四十天未联系', { last_contact_at: ago(40 * DAY) });
    await customer('rep1', '二十天未联系', { last_contact_at: ago(20 * DAY) });
    await customer('rep1', '从未联系的老客户', { last_contact_at: null });
    await customer('rep1', '昨天新建从未联系', { last_contact_at: null, created_at: ago(DAY) });
    let stale = section((await rep1.get('/')).text, 'stale');
    expect(stale).toContain('四十天未联系');
    expect(stale).toContain('从未联系的老客户');
    expect(stale).not.toContain('二十天未联系');
    expect(stale).not.toContain('昨天新建从未联系');

    await t.db('settings').where({ key: 'stale_customer_days' }).update({ value: '10' });
    forgetReferenceData(t.db);
    stale = section((await rep1.get('/')).text, 'stale');
    expect(stale).toContain('二十天未联系');
    expect(stale).toMatch(/10/);
    await t.db('settings').where({ key: 'stale_customer_days' }).update({ value: '30' });
    forgetReferenceData(t.db);
  });
});

describe('opportunities closing this month', () => {
  it('lists open opportunities closing this month, not won ones or next month\'s', async () => {
    const customerId = await customer('rep1', '商机客户');
    const rep1Id = await t.userId('rep1');
    const stage = async (code: string) => (await t.db('pipeline_stages').where({ code }).first('id')).id;
    const month = monthOf(localToday(ZONE));
    const opportunity = (title: string, stageCode: string, amount: string, close: string) =>
      stage(stageCode).then((stage_id) =>
        t.db('opportunities').insert({
          customer_id: customerId, title, amount, currency: 'CNY', stage_id, probability: 30, expected_close_date: close,
          stage_entered_at: ago(DAY), owner_id: rep1Id, created_by: rep1Id, version: 1, created_at: ago(DAY), updated_at: ago(DAY),
        }),
      );
    await opportunity('本月方案', 'proposal', '100.10', month.first);
    await opportunity('本月谈判', 'negotiation', '0.20', month.last);
    await opportunity('本月已赢', 'won', '999.00', month.first);
    await opportunity('下月方案', 'proposal', '50.00', addDays(month.last, 1));
    const closing = section((await rep1.get('/')).text, 'closing');
    expect(closing).toContain('本月方案');
    expect(closing).toContain('本月谈判');
    expect(closing).not.toContain('本月已赢');
    expect(closing).not.toContain('下月方案');
    expect(closing).toContain('100.10'); // the amount, to the cent
  });
});

describe('contracts awaiting approval and receivables', () => {
  it('shows the approver the contracts sent to them, and the rep their receivables due within 14 days', async () => {
    const customerId = await customer('rep1', '合同客户');
    const rep1Id = await t.userId('rep1');
    const manager1Id = await t.userId('manager1');
    const [contractId] = await t.db('contracts').insert({
      number: 'CT-2026-900001', customer_id: customerId, title: '年度服务合同', currency: 'CNY', total: '300.00',
      status: 'pending_approval', approver_id: manager1Id, owner_id: rep1Id, created_by: rep1Id, version: 1,
      created_at: ago(DAY), updated_at: ago(DAY),
    });
    expect(section((await manager1.get('/')).text, 'approvals')).toContain('CT-2026-900001');
    expect((await rep1.get('/')).text).not.toContain('data-test="myday-approvals"');

    const today = localToday(ZONE);
    const plan = (seq: number, due: string, amount: string, received: string) =>
      t.db('payment_plans').insert({
        contract_id: contractId, seq, due_date: due, amount, received_amount: received, owner_id: rep1Id,
        is_settled: received === amount, created_at: ago(DAY), updated_at: ago(DAY),
      });
    // Receivables are owed on approved and signed contracts only.
    await plan(1, addDays(today, -5), '100.00', '40.00');
    expect(section((await rep1.get('/')).text, 'receivables')).not.toContain(shown(addDays(today, -5)));
    await t.db('contracts').where({ id: contractId }).update({ status: 'approved' });
    await plan(2, addDays(today, 14), '100.00', '0.00');
    await plan(3, addDays(today, 15), '100.00', '0.00');
    const receivables = section((await rep1.get('/')).text, 'receivables');
    expect(receivables).toContain(shown(addDays(today, -5)));
    expect(receivables).toContain('60.00'); // what is still owed on the overdue instalment
    expect(receivables).toContain(shown(addDays(today, 14)));
    expect(receivables).not.toContain(shown(addDays(today, 15)));
  });
});

describe('section counts', () => {
  it('counts up to 100 and says "100+" beyond, showing the oldest ten', async () => {
    const rep3Id = await t.userId('rep3');
    const branch = await ownerBranchId(t.db, rep3Id);
    const rows = Array.from({ length: 101 }, (_, i) => ({
      kind: 'company', name: `积压客户${String(i).padStart(3, '0')}`, status: 'new', owner_id: rep3Id, owner_branch_id: branch,
      created_by: rep3Id, version: 1, created_at: ago(90 * DAY), updated_at: ago(DAY), last_contact_at: ago(DAY),
      next_follow_up_at: ago((200 - i) * HOUR),
    }));
    await t.db('customers').insert(rows);
    const rep3 = await loginAs(t.app, 'rep3');
    const due = section((await rep3.get('/')).text, 'due');
    expect(due).toMatch(/badge[^>]*>100\+</);
    expect(due).toContain('积压客户000');
    expect(due).toContain('积压客户009');
    expect(due).not.toContain('积压客户010');
    await t.db('customers').where('name', 'like', '积压客户%').whereRaw('name <> ?', ['积压客户000']).delete();
    expect(section((await rep3.get('/')).text, 'due')).toMatch(/badge[^>]*>1</);
  });
});
