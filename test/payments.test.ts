import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { toCents } from '../src/shared/money.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let rep1: Agent;
let rep2: Agent;
let rep3: Agent;
let manager1: Agent;
const ids: Record<string, number> = {};
const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ');
// The demo users live in Asia/Shanghai: "today" and "overdue" are measured there.
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const thisMonth = today.slice(0, 7);

beforeAll(async () => {
  t = await createTestApp();
  [rep1, rep2, rep3, manager1] = await Promise.all(['rep1', 'rep2', 'rep3', 'manager1'].map((u) => loginAs(t.app, u)));
  for (const u of ['rep1', 'rep2', 'rep3', 'manager1']) ids[u] = await t.userId(u);
});
afterAll(() => t.close());

async function newCustomer(owner: string, name: string): Promise<number> {
  const [id] = await t.db('customers').insert({
    kind: 'company', name, status: 'new', owner_id: ids[owner], owner_branch_id: await ownerBranchId(t.db, ids[owner]),
    created_by: ids[owner], version: 1, created_at: now(), updated_at: now(),
  });
  return Number(id);
}

/** A contract of `total` owned by `owner`, taken through approval unless `approve` is false. */
async function contractOf(
  owner: Agent,
  ownerName: string,
  total: string,
  approve = true,
  { currency = 'CNY', customerName = `Customer of ${ownerName} ${Math.random().toString(36).slice(2, 7)}`, approver = manager1 } = {},
): Promise<number> {
  const customerId = await newCustomer(ownerName, customerName);
  const res = await postForm(owner, '/contracts', {
    customer_id: String(customerId), title: 'Receivable contract', currency,
    'items[0][product_name]': 'Service', 'items[0][quantity]': '1', 'items[0][unit_price]': total,
  });
  expect(res.status).toBe(303);
  const id = Number(/\/contracts\/(\d+)$/.exec(res.headers.location)![1]);
  if (approve) {
    const version = async () => String((await t.db('contracts').where({ id }).first()).version);
    expect((await postForm(owner, `/contracts/${id}/submit`, { version: await version() })).status).toBe(303);
    expect((await postForm(approver, `/contracts/${id}/approve`, { version: await version() })).status).toBe(303);
  }
  return id;
}

const versionOf = (html: string) => /name="version" value="([^"]*)"/.exec(html)![1];
const plans = (contractId: number) => t.db('payment_plans').where({ contract_id: contractId }).orderBy('seq');
const summary = (html: string, key: string) => new RegExp(`data-test="summary-${key}">([^<]*)<`).exec(html)?.[1];

describe('payment plans', () => {
  let id: number;
  beforeAll(async () => {
    id = await contractOf(rep1, 'rep1', '1000.00');
  });

  it('adds instalments numbered in order, owned like the contract, audited', async () => {
    const first = await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2020-01-15', amount: '400.00', remark: '首付款' });
    expect(first.status).toBe(303);
    expect((await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2099-12-31', amount: '600' })).status).toBe(303);
    const rows = await plans(id);
    expect(rows.map((p) => [p.seq, toCents(p.amount), p.owner_id, Boolean(p.is_settled)])).toEqual([
      [1, 40000n, ids.rep1, false],
      [2, 60000n, ids.rep1, false],
    ]);
    expect(await t.db('audit_log').where({ entity: 'payment_plan', action: 'create' }).whereIn('entity_id', rows.map((p) => p.id))).toHaveLength(2);
  });

  it('refuses instalments beyond the contract total (422, with the amount still available and the typed values)', async () => {
    const res = await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2099-06-30', amount: '0.01', remark: 'one cent too many' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-amount"');
    expect(res.text).toContain('1000.00');
    expect(res.text).toContain('value="one cent too many"');
    expect(await plans(id)).toHaveLength(2);
    const bad = await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2099-02-30', amount: '-5' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('data-test="error-due_date"');
  });

  it('edits an instalment within the total', async () => {
    const [, second] = await plans(id);
    const form = await rep1.get(`/contracts/${id}/plans/${second.id}/edit`);
    expect(form.status).toBe(200);
    const version = versionOf(form.text);
    expect(version).toBe(String(second.version));
    const over = await postForm(rep1, `/contracts/${id}/plans/${second.id}`, { version, seq: '2', due_date: '2099-12-31', amount: '600.01' });
    expect(over.status).toBe(422);
    expect(over.text).toContain('value="600.01"');
    expect(versionOf(over.text)).toBe(version);
    const taken = await postForm(rep1, `/contracts/${id}/plans/${second.id}`, { version, seq: '1', due_date: '2099-12-31', amount: '500' });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('data-test="error-seq"');
    const saved = await postForm(rep1, `/contracts/${id}/plans/${second.id}`, { version, seq: '2', due_date: '2099-12-31', amount: '500.00' });
    expect(saved.status).toBe(303);
    const [, after] = await plans(id);
    expect(toCents(after.amount)).toBe(50000n);
    expect(after.version).toBe(second.version + 1);
    // The version is required: a save without one is not taken as an overwrite.
    const bare = await postForm(rep1, `/contracts/${id}/plans/${second.id}`, { seq: '2', due_date: '2099-12-31', amount: '300.00' });
    expect(bare.status).toBe(404);
    expect(toCents((await plans(id))[1].amount)).toBe(50000n);
  });

  it('answers a stale form, even one saved in the same second, with 409: the values kept, nothing overwritten, saving again deliberate', async () => {
    const [first] = await plans(id);
    const mine = versionOf((await rep1.get(`/contracts/${id}/plans/${first.id}/edit`)).text);
    const theirs = versionOf((await manager1.get(`/contracts/${id}/plans/${first.id}/edit`)).text);
    // Both forms were opened on the same version; the manager saves first, within the same second.
    const other = await postForm(manager1, `/contracts/${id}/plans/${first.id}`, { version: theirs, seq: '1', due_date: '2020-01-15', amount: '450.00', remark: 'manager' });
    expect(other.status).toBe(303);
    const stale = await postForm(rep1, `/contracts/${id}/plans/${first.id}`, { version: mine, seq: '1', due_date: '2020-02-20', amount: '350.00', remark: '我的修改 ✓' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('data-test="conflict"');
    expect(stale.text).toContain('value="350.00"');
    expect(stale.text).toContain('value="2020-02-20"');
    expect(stale.text).toContain('value="我的修改 ✓"');
    // The notice names what the other save left, and the hidden version is now the current one.
    expect(stale.text).toContain('450.00');
    const [kept] = await plans(id);
    expect([toCents(kept.amount), kept.remark, kept.version]).toEqual([45000n, 'manager', first.version + 1]);
    expect(versionOf(stale.text)).toBe(String(kept.version));

    const again = await postForm(rep1, `/contracts/${id}/plans/${first.id}`, { version: versionOf(stale.text), seq: '1', due_date: '2020-02-20', amount: '350.00', remark: '我的修改 ✓' });
    expect(again.status).toBe(303);
    const [saved] = await plans(id);
    expect([toCents(saved.amount), saved.remark, String(saved.due_date).slice(0, 10), saved.version]).toEqual([35000n, '我的修改 ✓', '2020-02-20', kept.version + 1]);
  });

  it('is out of reach outside the scope (404)', async () => {
    const [first] = await plans(id);
    expect((await postForm(rep3, `/contracts/${id}/plans`, { due_date: '2099-01-01', amount: '1' })).status).toBe(404);
    expect((await rep3.get(`/contracts/${id}/plans/${first.id}/edit`)).status).toBe(404);
    expect((await postForm(rep3, `/contracts/${id}/plans/${first.id}/delete`)).status).toBe(404);
    expect((await postForm(rep3, `/contracts/${id}/payments`, { plan_id: first.id, amount: '1', paid_on: today, method: 'cash' })).status).toBe(404);
    // A plan of another contract is not reachable through this one.
    const other = await contractOf(rep1, 'rep1', '10.00', false);
    expect((await rep1.get(`/contracts/${other}/plans/${first.id}/edit`)).status).toBe(404);
  });
});

describe('payment records', () => {
  it('update the plan and the contract received / outstanding / overdue amounts exactly', async () => {
    const id = await contractOf(rep1, 'rep1', '1000.00');
    await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2020-01-15', amount: '400.00' });
    await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2099-12-31', amount: '600.00' });
    const [first, second] = await plans(id);

    let page = await rep1.get(`/contracts/${id}`);
    expect([summary(page.text, 'received'), summary(page.text, 'outstanding'), summary(page.text, 'overdue')]).toEqual(['0.00', '1000.00', '400.00']);

    const openedBefore = versionOf((await rep1.get(`/contracts/${id}/plans/${first.id}/edit`)).text);
    const paid = await postForm(rep1, `/contracts/${id}/payments`, { plan_id: first.id, amount: '150.10', paid_on: '2026-11-01', method: 'bank_transfer', reference: 'TX-001' });
    expect(paid.status).toBe(303);
    await postForm(rep1, `/contracts/${id}/payments`, { plan_id: first.id, amount: '0.20', paid_on: '2026-11-02', method: 'cash' });
    let [p1] = await plans(id);
    expect(toCents(p1.received_amount)).toBe(15030n);
    // Each payment applied to the plan is a change to it: a form opened before them is stale.
    expect(p1.version).toBe(first.version + 2);
    const stale = await postForm(rep1, `/contracts/${id}/plans/${first.id}`, { version: openedBefore, seq: '1', due_date: '2020-01-15', amount: '400.00', remark: 'stale' });
    expect(stale.status).toBe(409);
    expect((await plans(id))[0].remark).toBeNull();
    expect(Boolean(p1.is_settled)).toBe(false);
    page = await rep1.get(`/contracts/${id}`);
    expect([summary(page.text, 'received'), summary(page.text, 'outstanding'), summary(page.text, 'overdue')]).toEqual(['150.30', '849.70', '249.70']);
    expect(page.text).toContain('TX-001');

    const tooMuch = await postForm(rep1, `/contracts/${id}/payments`, { plan_id: first.id, amount: '249.71', paid_on: today, method: 'cash', reference: 'kept-ref' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain('data-test="error-amount"');
    expect(tooMuch.text).toContain('value="kept-ref"');
    const badMethod = await postForm(rep1, `/contracts/${id}/payments`, { plan_id: first.id, amount: '1', paid_on: today, method: 'gold' });
    expect(badMethod.status).toBe(422);
    expect(badMethod.text).toContain('data-test="error-method"');
    const foreignPlan = await postForm(rep1, `/contracts/${id}/payments`, { plan_id: 999999, amount: '1', paid_on: today, method: 'cash' });
    expect(foreignPlan.status).toBe(422);

    expect((await postForm(rep1, `/contracts/${id}/payments`, { plan_id: first.id, amount: '249.70', paid_on: today, method: 'alipay' })).status).toBe(303);
    [p1] = await plans(id);
    expect(toCents(p1.received_amount)).toBe(40000n);
    expect(Boolean(p1.is_settled)).toBe(true);
    page = await rep1.get(`/contracts/${id}`);
    expect([summary(page.text, 'received'), summary(page.text, 'outstanding'), summary(page.text, 'overdue')]).toEqual(['400.00', '600.00', '0.00']);

    const records = await t.db('payment_records').where({ contract_id: id });
    expect(records).toHaveLength(3);
    expect(await t.db('audit_log').where({ entity: 'payment_record' }).whereIn('entity_id', records.map((r) => r.id))).toHaveLength(3);

    // An instalment with payments is not deleted, nor cut below what it received.
    const del = await postForm(rep1, `/contracts/${id}/plans/${first.id}/delete`);
    expect(del.status).toBe(422);
    expect(del.text).toContain('data-test="error-_plan"');
    const cut = await postForm(rep1, `/contracts/${id}/plans/${first.id}`, { version: String(p1.version), seq: '1', due_date: '2020-01-15', amount: '399.99' });
    expect(cut.status).toBe(422);
    expect((await rep1.get(`/contracts/${id}/plans/${second.id}/delete`)).status).toBe(200);
    expect((await postForm(rep1, `/contracts/${id}/plans/${second.id}/delete`)).status).toBe(303);
    expect(await plans(id)).toHaveLength(1);
  });

  it('are taken only on approved or signed contracts', async () => {
    const id = await contractOf(rep1, 'rep1', '100.00', false);
    expect((await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2099-01-01', amount: '100' })).status).toBe(303);
    const [plan] = await plans(id);
    const res = await postForm(rep1, `/contracts/${id}/payments`, { plan_id: plan.id, amount: '10', paid_on: today, method: 'cash' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-_record"');
    expect(await t.db('payment_records').where({ contract_id: id })).toHaveLength(0);
  });
});

describe('/payments', () => {
  let rep1Contract: number;
  let rep2Contract: number;
  let number1: string;
  let number2: string;
  beforeAll(async () => {
    // The contracts of the tests above are set aside (soft-deleted), so the list holds only these.
    await t.db('contracts').update({ deleted_at: now() });
    rep1Contract = await contractOf(rep1, 'rep1', '900.00');
    rep2Contract = await contractOf(rep2, 'rep2', '500.00');
    number1 = (await t.db('contracts').where({ id: rep1Contract }).first()).number;
    number2 = (await t.db('contracts').where({ id: rep2Contract }).first()).number;
    await postForm(rep1, `/contracts/${rep1Contract}/plans`, { due_date: '2021-03-01', amount: '100.00', remark: 'overdue-one' });
    await postForm(rep1, `/contracts/${rep1Contract}/plans`, { due_date: `${thisMonth}-28`, amount: '200.00', remark: 'month-one' });
    await postForm(rep1, `/contracts/${rep1Contract}/plans`, { due_date: '2098-01-01', amount: '300.00', remark: 'later-one' });
    await postForm(rep2, `/contracts/${rep2Contract}/plans`, { due_date: '2097-01-01', amount: '500.00' });
    const [overdue] = await plans(rep1Contract);
    await postForm(rep1, `/contracts/${rep1Contract}/payments`, { plan_id: overdue.id, amount: '40.00', paid_on: today, method: 'cash' });
  });

  const rowsOf = (html: string) => (html.match(/data-test="receivable-row"/g) ?? []).length;

  it('lists the instalments in scope, not settled by default, with totals, each linking to its contract', async () => {
    const page = await rep1.get('/payments');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/contracts/${rep1Contract}#receivables"`);
    expect(page.text).toContain(number1);
    expect(page.text).not.toContain(number2);
    expect(page.text).toContain('data-test="total-amount">600.00<');
    expect(page.text).toContain('data-test="total-received">40.00<');
    expect(page.text).toContain('data-test="total-outstanding">560.00<');
    expect((await rep3.get('/payments')).text).not.toContain(number1);
  });

  it('filters overdue, due this month and by owner; settled instalments come back on request', async () => {
    const overdue = await rep1.get('/payments?due=overdue');
    expect(rowsOf(overdue.text)).toBe(1);
    expect(overdue.text).toContain('data-test="total-outstanding">60.00<');
    const month = await rep1.get('/payments?due=this_month');
    expect(rowsOf(month.text)).toBe(1);
    expect(month.text).toContain('data-test="total-amount">200.00<');

    const team = await manager1.get('/payments');
    expect(team.text).toContain(number1);
    expect(team.text).toContain(number2);
    expect(team.text).toContain('id="filter-owner"');
    const onlyRep2 = await manager1.get(`/payments?owner_id=${ids.rep2}`);
    expect(onlyRep2.text).toContain(number2);
    expect(onlyRep2.text).not.toContain(number1);
    expect((await rep1.get('/payments')).text).not.toContain('id="filter-owner"');

    const [first] = await plans(rep1Contract);
    await postForm(rep1, `/contracts/${rep1Contract}/payments`, { plan_id: first.id, amount: '60.00', paid_on: today, method: 'cash' });
    expect(rowsOf((await rep1.get('/payments')).text)).toBe(2);
    expect(rowsOf((await rep1.get('/payments?settled=settled')).text)).toBe(1);
    expect(rowsOf((await rep1.get('/payments?settled=all')).text)).toBe(3);
    const sorted = await rep1.get('/payments?settled=all&sort=amount&dir=desc');
    expect(sorted.text.indexOf('300.00')).toBeLessThan(sorted.text.indexOf('200.00'));
  });
});

describe('/payments totals by currency and search', () => {
  let yuan: { id: number; number: string };
  let dollars: { id: number; number: string };
  let foreign: { id: number; number: string };
  const numberOf = async (id: number) => ({ id, number: (await t.db('contracts').where({ id }).first()).number as string });
  const rowsOf = (html: string) => (html.match(/data-test="receivable-row"/g) ?? []).length;
  /** The totals line of one currency: [planned, received, outstanding], or undefined when absent. */
  const totalsOf = (html: string, currency: string) => {
    const line = new RegExp(`data-test="totals-${currency}">([\\s\\S]*?)</tr>`).exec(html)?.[1];
    return line === undefined ? undefined : ['amount', 'received', 'outstanding'].map((key) => new RegExp(`data-test="total-${key}">([^<]*)<`).exec(line)?.[1]);
  };
  const search = (agent: Agent, query: Record<string, string>) => agent.get(`/payments?${new URLSearchParams(query).toString()}`);

  beforeAll(async () => {
    await t.db('contracts').update({ deleted_at: now() });
    yuan = await numberOf(await contractOf(rep1, 'rep1', '0.30', true, { customerName: '青松贸易有限公司' }));
    dollars = await numberOf(await contractOf(rep1, 'rep1', '1000.00', true, { currency: 'USD', customerName: 'Harbor Freight Ltd' }));
    const manager2 = await loginAs(t.app, 'manager2');
    foreign = await numberOf(await contractOf(rep3, 'rep3', '50.00', true, { customerName: '青松远洋', approver: manager2 }));
    for (const amount of ['0.10', '0.20']) expect((await postForm(rep1, `/contracts/${yuan.id}/plans`, { due_date: '2099-01-01', amount })).status).toBe(303);
    await postForm(rep1, `/contracts/${dollars.id}/plans`, { due_date: '2021-01-01', amount: '100.10' });
    await postForm(rep1, `/contracts/${dollars.id}/plans`, { due_date: '2099-01-01', amount: '200.20' });
    await postForm(rep3, `/contracts/${foreign.id}/plans`, { due_date: '2099-01-01', amount: '50.00' });
    const [overdue] = await plans(dollars.id);
    expect((await postForm(rep1, `/contracts/${dollars.id}/payments`, { plan_id: overdue.id, amount: '0.10', paid_on: today, method: 'cash' })).status).toBe(303);
  });

  it('totals each currency on its own line, exactly (0.10 + 0.20 is 0.30)', async () => {
    const page = await rep1.get('/payments');
    expect(rowsOf(page.text)).toBe(4);
    expect(totalsOf(page.text, 'CNY')).toEqual(['0.30', '0.00', '0.30']);
    expect(totalsOf(page.text, 'USD')).toEqual(['300.30', '0.10', '300.20']);
    expect(page.text.indexOf('data-test="totals-CNY"')).toBeLessThan(page.text.indexOf('data-test="totals-USD"'));
    // Nothing adds yuan to dollars.
    expect(page.text).not.toContain('300.60');
    // The totals follow the filters and the scope.
    const overdue = await rep1.get('/payments?due=overdue');
    expect(totalsOf(overdue.text, 'CNY')).toBeUndefined();
    expect(totalsOf(overdue.text, 'USD')).toEqual(['100.10', '0.10', '100.00']);
    const other = await rep3.get('/payments');
    expect(totalsOf(other.text, 'CNY')).toEqual(['50.00', '0.00', '50.00']);
    expect(totalsOf(other.text, 'USD')).toBeUndefined();
  });

  it('searches by contract number or customer name, by prefix, keeping the filters and the sort', async () => {
    const byNumber = await search(rep1, { q: dollars.number });
    expect(rowsOf(byNumber.text)).toBe(2);
    expect(byNumber.text).toContain(dollars.number);
    expect(byNumber.text).not.toContain(yuan.number);
    expect(byNumber.text).toContain(`value="${dollars.number}"`);
    expect(totalsOf(byNumber.text, 'CNY')).toBeUndefined();

    const byName = await search(rep1, { q: '青松' });
    expect(rowsOf(byName.text)).toBe(2);
    expect(byName.text).toContain(yuan.number);
    expect(byName.text).not.toContain(dollars.number);
    expect(totalsOf(byName.text, 'CNY')).toEqual(['0.30', '0.00', '0.30']);
    expect(rowsOf((await search(rep1, { q: 'Harbor' })).text)).toBe(2);
    // A prefix, not a substring; the user's % and _ are literal.
    expect(rowsOf((await search(rep1, { q: '贸易' })).text)).toBe(0);
    expect(rowsOf((await search(rep1, { q: '%' })).text)).toBe(0);
    expect(rowsOf((await search(rep1, { q: '_' })).text)).toBe(0);

    const filtered = await search(rep1, { q: 'Harbor', due: 'overdue' });
    expect(rowsOf(filtered.text)).toBe(1);
    expect(totalsOf(filtered.text, 'USD')).toEqual(['100.10', '0.10', '100.00']);
    const sorted = await search(rep1, { q: 'Harbor', sort: 'amount', dir: 'desc' });
    expect(sorted.text.indexOf('200.20')).toBeLessThan(sorted.text.indexOf('100.10'));
    // Sorting and paging links carry the search along.
    expect(sorted.text).toMatch(/href="\/payments\?q=Harbor&amp;sort=number&amp;dir=asc"/);
  });

  it('never finds an instalment outside the scope', async () => {
    // rep3 (Sales North) searches for rep1's contract and rep1's customer's name.
    for (const q of [yuan.number, '青松贸易']) {
      const page = await search(rep3, { q });
      expect(rowsOf(page.text), q).toBe(0);
      expect(page.text).not.toContain(`href="/contracts/${yuan.id}#receivables"`);
      expect(totalsOf(page.text, 'CNY')).toBeUndefined();
    }
    const own = await search(rep3, { q: '青松' });
    expect(rowsOf(own.text)).toBe(1);
    expect(own.text).toContain(foreign.number);
    expect(own.text).not.toContain(yuan.number);
    // A Sales East manager finds the team's instalment, not Sales North's.
    const team = await search(manager1, { q: '青松' });
    expect(team.text).toContain(yuan.number);
    expect(team.text).not.toContain(foreign.number);
    expect(rowsOf((await search(manager1, { q: foreign.number })).text)).toBe(0);
  });
});

describe('pages', () => {
  it('show every string translated, in both languages', async () => {
    const id = await contractOf(rep1, 'rep1', '100.00');
    await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2099-01-01', amount: '100' });
    const [plan] = await plans(id);
    await postForm(rep1, `/contracts/${id}/payments`, { plan_id: plan.id, amount: '10', paid_on: today, method: 'cash' });
    const urls = ['/contracts', '/contracts/new', `/contracts/${id}`, `/contracts/${id}/edit`, '/payments?settled=all', `/contracts/${id}/plans/${plan.id}/edit`, `/contracts/${id}/plans/${plan.id}/delete`];
    for (const language of ['zh-CN', 'en']) {
      for (const url of urls) {
        const page = await rep1.get(url).set('Accept-Language', language);
        expect(page.status, url).toBe(200);
        expect(page.text, `${url} ${language}`).not.toMatch(/[>\s"](contracts|payments|validation|line_items)\.[a-z_]+\.?[a-z_]*[<\s"]/);
      }
    }
  });
});
