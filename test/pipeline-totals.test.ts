import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/authz/actor.js';
import { ownerScope, scopeIncludesOwner } from '../src/authz/data-scope.js';
import { totalColumns } from '../src/features/opportunities/opportunity-totals.js';
import { rebuildPipelineTotals, refreshPipelineTotals } from '../src/features/opportunities/pipeline-totals.js';
import { fromCents, percentOf, toCents } from '../src/shared/money.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// The board and the list read their totals from pipeline_totals, a summary every opportunity write
// recomputes in its own transaction. After each kind of write the summary must equal the totals
// summed afresh from the opportunities themselves, and the pages must show exactly those.

let t: TestApp;
let rep1: Agent;
let manager1: Agent;
let admin: Agent;
let rep1Id: number;
let rep2Id: number;

type Totals = Record<string, { count: number; amount: string; weighted: string }>;
type LiveRow = { owner_id: number; stage_id: number; currency: string; amount: string | number; probability: number };

const stageId = async (code: string): Promise<number> => (await t.db('pipeline_stages').where({ code }).first('id')).id;
const idFrom = (location: string) => Number(/\/opportunities\/(\d+)$/.exec(location)![1]);

/** The summary table as it stands, keyed owner/stage/currency. */
async function summary(): Promise<Totals> {
  const rows: Array<{ owner_id: number; stage_id: number; currency: string; opportunities: number; amount_cents: number | string; weighted_cents: number | string }> =
    await t.db('pipeline_totals').select('*');
  const result: Totals = {};
  for (const r of rows) {
    result[`${r.owner_id}/${r.stage_id}/${r.currency}`] = {
      count: Number(r.opportunities),
      amount: fromCents(BigInt(String(r.amount_cents))),
      weighted: fromCents(BigInt(String(r.weighted_cents))),
    };
  }
  return result;
}

/** The live opportunities, summed here in BigInt cents, each weighted amount rounded as its card shows it. */
async function freshTotals(key: (r: LiveRow) => string | null): Promise<Totals> {
  const rows: LiveRow[] = await t.db('opportunities').whereNull('deleted_at').select('owner_id', 'stage_id', 'currency', 'amount', 'probability');
  const sums = new Map<string, { count: number; amount: bigint; weighted: bigint }>();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    const sum = sums.get(k) ?? { count: 0, amount: 0n, weighted: 0n };
    const cents = toCents(r.amount);
    sum.count += 1;
    sum.amount += cents;
    sum.weighted += percentOf(cents, Number(r.probability));
    sums.set(k, sum);
  }
  return Object.fromEntries([...sums].map(([k, s]) => [k, { count: s.count, amount: fromCents(s.amount), weighted: fromCents(s.weighted) }]));
}

/** The same grouping by the database's direct aggregate (the path the summary replaces). */
async function directAggregate(): Promise<Totals> {
  const rows = await t.db('opportunities as o')
    .whereNull('o.deleted_at')
    .groupBy('o.owner_id', 'o.stage_id', 'o.currency')
    .select('o.owner_id', 'o.stage_id', 'o.currency', ...totalColumns(t.db, 'o'));
  const whole = (v: unknown) => BigInt(String(v).split('.')[0]);
  return Object.fromEntries(
    rows.map((r: Record<string, unknown>) => [
      `${r.owner_id}/${r.stage_id}/${r.currency}`,
      { count: Number(r.n), amount: fromCents(whole(r.amount_cents)), weighted: fromCents(whole(r.weighted_cents)) },
    ]),
  );
}

/** The summary equals both fresh computations, for every owner, stage and currency. */
async function expectSummaryExact(): Promise<void> {
  const fresh = await freshTotals((r) => `${r.owner_id}/${r.stage_id}/${r.currency}`);
  expect(await summary()).toEqual(fresh);
  expect(await directAggregate()).toEqual(fresh);
}

type Column = { count: number; totals: Record<string, { amount: string; weighted: string }> };

/** The board's columns as the page shows them: stage code → count, and amount and weighted per currency. */
function boardTotals(html: string): Record<string, Column> {
  const result: Record<string, Column> = {};
  for (const section of html.split('data-test="column-').slice(1)) {
    const code = /^([a-z_]+)"/.exec(section)![1];
    const header = section.slice(0, section.indexOf('pipeline-cards'));
    const totals: Column['totals'] = {};
    for (const m of header.matchAll(/data-test="totals-([A-Z]{3})">[\s\S]*?data-test="amount">([^<]+)<[\s\S]*?data-test="weighted">([^<]+)</g)) {
      totals[m[1]] = { amount: m[2], weighted: m[3] };
    }
    result[code] = { count: Number(/data-test="count">(\d+)</.exec(header)![1]), totals };
  }
  return result;
}

/** What the board must show for the owners a test names, computed from the opportunities. */
async function expectedBoard(owners: (ownerId: number) => boolean): Promise<Record<string, Column>> {
  const stages: Array<{ id: number; code: string; kind: string; is_active: number | boolean }> = await t.db('pipeline_stages').select('id', 'code', 'kind', 'is_active');
  const open = new Map(stages.filter((s) => s.kind === 'open').map((s) => [Number(s.id), s.code]));
  const fresh = await freshTotals((r) => (owners(Number(r.owner_id)) && open.has(Number(r.stage_id)) ? `${open.get(Number(r.stage_id))}/${r.currency}` : null));
  const result: Record<string, Column> = {};
  for (const s of stages.filter((s) => s.kind === 'open' && Boolean(s.is_active))) result[s.code] = { count: 0, totals: {} };
  for (const [k, v] of Object.entries(fresh)) {
    const [code, currency] = k.split('/');
    result[code] ??= { count: 0, totals: {} };
    result[code].count += v.count;
    result[code].totals[currency] = { amount: v.amount, weighted: v.weighted };
  }
  return result;
}

/** The list's total lines, currency → "Count: … · Total: … · Weighted: …". */
function listTotals(html: string): Record<string, string> {
  const block = html.slice(html.indexOf('data-test="totals"'), html.indexOf('table-responsive'));
  return Object.fromEntries([...block.matchAll(/data-test="total-([A-Z]{3})">\s*([^<]+?)\s*</g)].map((m) => [m[1], m[2]]));
}

async function expectedList(include: (r: LiveRow) => boolean): Promise<Record<string, string>> {
  const fresh = await freshTotals((r) => (include(r) ? r.currency : null));
  return Object.fromEntries(
    Object.entries(fresh).map(([c, v]) => [c, `Count: ${v.count} · Total: ${c} ${v.amount} · Weighted: ${c} ${v.weighted}`]),
  );
}

/** manager1's scope, as the app computes it. */
async function managerOwners(): Promise<(ownerId: number) => boolean> {
  const user = await t.db('users').where({ username: 'manager1' }).first('id', 'department_id');
  const actor = { id: user.id, dataScope: 'department_tree', departmentId: user.department_id } as unknown as Actor;
  const scope = await ownerScope(t.db, actor);
  return (ownerId) => scopeIncludesOwner(scope, ownerId);
}

/** Every page that reads the summary agrees with the opportunities, for a rep, a manager and the admin. */
async function expectPagesExact(): Promise<void> {
  const managerScope = await managerOwners();
  expect(boardTotals((await rep1.get('/opportunities/board')).text)).toEqual(await expectedBoard((o) => o === rep1Id));
  expect(boardTotals((await manager1.get('/opportunities/board')).text)).toEqual(await expectedBoard(managerScope));
  expect(boardTotals((await manager1.get(`/opportunities/board?owner_id=${rep2Id}`)).text)).toEqual(await expectedBoard((o) => o === rep2Id));
  expect(boardTotals((await admin.get('/opportunities/board')).text)).toEqual(await expectedBoard(() => true));

  const proposal = await stageId('proposal');
  const list = async (agent: Agent, query: string) => listTotals((await agent.get(`/opportunities${query}`).set('Accept-Language', 'en')).text);
  expect(await list(rep1, '')).toEqual(await expectedList((r) => Number(r.owner_id) === rep1Id));
  expect(await list(manager1, '')).toEqual(await expectedList((r) => managerScope(Number(r.owner_id))));
  expect(await list(manager1, `?stage_id=${proposal}&owner_id=${rep2Id}`)).toEqual(
    await expectedList((r) => Number(r.owner_id) === rep2Id && Number(r.stage_id) === proposal),
  );
  expect(await list(admin, `?stage_id=${proposal}`)).toEqual(await expectedList((r) => Number(r.stage_id) === proposal));
  expect(await list(admin, '')).toEqual(await expectedList(() => true));
}

beforeAll(async () => {
  // With the demo's own opportunities: the seed keeps the summary too.
  t = await createTestApp({ sales: true });
  [rep1, manager1, admin] = await Promise.all(['rep1', 'manager1', 'admin'].map((u) => loginAs(t.app, u)));
  rep1Id = await t.userId('rep1');
  rep2Id = await t.userId('rep2');
});
afterAll(() => t.close());

/** The edit form's fields of an opportunity as saved, with some replaced. */
async function editFields(id: number, changes: Record<string, string>): Promise<Record<string, string>> {
  const row = await t.db('opportunities').where({ id }).first();
  return {
    version: String(row.version), customer_id: String(row.customer_id), title: row.title, amount: String(toCentsText(row.amount)),
    currency: row.currency, stage_id: String(row.stage_id), probability: String(row.probability),
    expected_close_date: row.expected_close_date ?? '', owner_id: String(row.owner_id), lost_reason: row.lost_reason ?? '', ...changes,
  };
}
const toCentsText = (amount: string | number) => fromCents(toCents(amount));

describe('the summary of the pipeline', () => {
  it('is built by the demo seed and equals the opportunities', async () => {
    expect(Number((await t.db('opportunities').count({ n: '*' }).first())?.n)).toBeGreaterThan(0);
    await expectSummaryExact();
    await expectPagesExact();
  });

  it('follows creates, and edits of amount, probability, currency and owner', async () => {
    const customer = (await t.db('customers').where('owner_id', rep1Id).whereNull('deleted_at').orderBy('id').first('id')).id;
    const create = async (fields: Record<string, string>) => {
      const res = await postForm(rep1, '/opportunities', { customer_id: String(customer), title: 'Summary deal', currency: 'CNY', ...fields });
      expect(res.status).toBe(303);
      return idFrom(res.headers.location);
    };
    const proposal = String(await stageId('proposal'));
    const a = await create({ amount: '100.10', stage_id: proposal, probability: '10' });
    const b = await create({ amount: '33.33', stage_id: proposal, probability: '30' });
    await create({ amount: '0.05', stage_id: String(await stageId('needs_analysis')), probability: '50' });
    await expectSummaryExact();
    await expectPagesExact();

    expect((await postForm(rep1, `/opportunities/${a}`, await editFields(a, { amount: '250.55' }))).status).toBe(303);
    expect((await postForm(rep1, `/opportunities/${a}`, await editFields(a, { probability: '45' }))).status).toBe(303);
    expect((await postForm(rep1, `/opportunities/${b}`, await editFields(b, { currency: 'USD' }))).status).toBe(303);
    await expectSummaryExact();
    await expectPagesExact();

    // A manager hands one to rep2: it leaves rep1's totals and joins rep2's.
    const before = await summary();
    expect((await postForm(manager1, `/opportunities/${a}`, await editFields(a, { owner_id: String(rep2Id) }))).status).toBe(303);
    const after = await summary();
    const rep1Proposal = `${rep1Id}/${proposal}/CNY`;
    expect(after[rep1Proposal]?.count ?? 0).toBe((before[rep1Proposal]?.count ?? 0) - 1);
    expect(after[`${rep2Id}/${proposal}/CNY`].count).toBe((before[`${rep2Id}/${proposal}/CNY`]?.count ?? 0) + 1);
    await expectSummaryExact();
    await expectPagesExact();
  });

  it('follows moves on the board (backward, and to lost) and deletes', async () => {
    const [a] = await t.db('opportunities').where({ title: 'Summary deal', owner_id: rep2Id }).pluck('id');
    const row = await t.db('opportunities').where({ id: a }).first();
    const moved = await postForm(manager1, `/opportunities/${a}/stage`, { stage_id: String(await stageId('needs_analysis')), version: row.version });
    expect(moved.status).toBe(303);
    await expectSummaryExact();
    await expectPagesExact();

    const [b] = await t.db('opportunities').where({ title: 'Summary deal', owner_id: rep1Id, currency: 'USD' }).pluck('id');
    const lost = await postForm(rep1, `/opportunities/${b}/stage`, { stage_id: String(await stageId('lost')), version: (await t.db('opportunities').where({ id: b }).first()).version, lost_reason: 'price' });
    expect(lost.status).toBe(303);
    await expectSummaryExact();
    await expectPagesExact();

    expect((await postForm(rep1, `/opportunities/${b}/delete`)).status).toBe(303);
    expect((await postForm(manager1, `/opportunities/${a}/delete`)).status).toBe(303);
    await expectSummaryExact();
    await expectPagesExact();
  });

  it('takes a deleted customer\'s opportunities out with it, and brings back only those on restore', async () => {
    const customer = await t.db('customers').where('owner_id', rep1Id).whereNull('deleted_at').whereNotExists(
      t.db('contracts').whereRaw('contracts.customer_id = customers.id'),
    ).orderBy('id', 'desc').first('id');
    const open = async (agent: Agent, title: string, extra: Record<string, string> = {}) => {
      const res = await postForm(agent, '/opportunities', { customer_id: String(customer.id), title, amount: '7.77', currency: 'CNY', stage_id: String(await stageId('initial_contact')), probability: '10', ...extra });
      expect(res.status).toBe(303);
      return idFrom(res.headers.location);
    };
    const own = await open(rep1, 'Of a customer about to go');
    // Another owner's deal on the same customer: its owner's totals move too.
    const others = await open(admin, 'Someone else\'s deal on it', { owner_id: String(rep2Id) });
    const earlier = await open(rep1, 'Deleted before the customer');
    expect((await postForm(rep1, `/opportunities/${earlier}/delete`)).status).toBe(303);
    const earlierDeletedAt = (await t.db('opportunities').where({ id: earlier }).first()).deleted_at;

    expect((await postForm(manager1, `/customers/${customer.id}/delete`)).status).toBe(303);
    const deletedAt = (await t.db('customers').where({ id: customer.id }).first()).deleted_at;
    for (const id of [own, others]) expect((await t.db('opportunities').where({ id }).first()).deleted_at).toBe(deletedAt);
    await expectSummaryExact();
    await expectPagesExact();
    expect((await rep1.get('/opportunities?q=about%20to%20go')).text).not.toContain('Of a customer about to go');
    expect((await rep1.get(`/opportunities/${own}`)).status).toBe(404);
    const audited = await t.db('audit_log').where({ entity: 'opportunity', action: 'delete' }).whereIn('entity_id', [own, others]).count({ n: '*' }).first();
    expect(Number(audited?.n)).toBe(2);

    expect((await postForm(manager1, `/customers/${customer.id}/restore`)).status).toBe(303);
    for (const id of [own, others]) expect((await t.db('opportunities').where({ id }).first()).deleted_at).toBeNull();
    expect((await t.db('opportunities').where({ id: earlier }).first()).deleted_at).toBe(earlierDeletedAt);
    await expectSummaryExact();
    await expectPagesExact();
    expect((await rep1.get(`/opportunities/${own}`)).status).toBe(200);
    const restored = await t.db('audit_log').where({ entity: 'opportunity', action: 'restore' }).whereIn('entity_id', [own, others]).count({ n: '*' }).first();
    expect(Number(restored?.n)).toBe(2);
  });

  it('stays exact, without deadlocks, when many save the same and neighbouring owners\' opportunities at once', async () => {
    const agents = Object.fromEntries(await Promise.all(['rep1', 'rep2', 'rep3'].map(async (u) => [u, await loginAs(t.app, u)] as const)));
    const saves: Array<{ agent: Agent; id: number }> = [];
    for (const owner of ['rep1', 'rep2', 'rep3']) {
      const ownerId = await t.userId(owner);
      const customer = (await t.db('customers').where('owner_id', ownerId).whereNull('deleted_at').orderBy('id').first('id')).id;
      const ids: number[] = [];
      for (const n of [1, 2, 3]) {
        const fields = { customer_id: String(customer), title: `Busy ${owner} ${n}`, amount: '10.00', currency: 'CNY', stage_id: String(await stageId('initial_contact')), owner_id: String(ownerId) };
        const res = await postForm(admin, '/opportunities', fields);
        expect(res.status).toBe(303);
        ids.push(idFrom(res.headers.location));
      }
      // The owner, their manager (rep3's is manager2, who is not logged in here: the admin) and the admin.
      const others = owner === 'rep3' ? [admin, admin] : [manager1, admin];
      ids.forEach((id, i) => saves.push({ agent: [agents[owner], ...others][i], id }));
    }
    for (const round of [1, 2, 3]) {
      const edits = await Promise.all(saves.map(({ id }, i) => editFields(id, { amount: `${round * 1000 + i}.${String(i).padStart(2, '0')}`, probability: String(5 * i) })));
      const results = await Promise.all(saves.map(({ agent, id }, i) => postForm(agent, `/opportunities/${id}`, edits[i])));
      expect(results.map((r) => r.status)).toEqual(saves.map(() => 303));
    }
    await expectSummaryExact();
    await expectPagesExact();
  });

  it('is healed by a refresh or a rebuild after rows written past the app', async () => {
    await t.db('opportunities').where({ owner_id: rep1Id }).whereNull('deleted_at').update({ probability: 99 });
    expect(await summary()).not.toEqual(await freshTotals((r) => `${r.owner_id}/${r.stage_id}/${r.currency}`));
    await refreshPipelineTotals(t.db, [rep1Id]);
    await expectSummaryExact();
    await t.db('pipeline_totals').delete();
    await rebuildPipelineTotals(t.db);
    await expectSummaryExact();
    await expectPagesExact();
  });
});
