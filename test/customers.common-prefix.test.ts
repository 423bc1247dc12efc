import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { rebuildCustomerCounts } from '../src/features/customers/customer-counts.js';
import { createTestApp, loginAs, type Agent, type TestApp } from './support/test-app.js';

// A name search whose matches are many in a large scope (a surname alone) is walked in updated_at
// order with each row's name and company tested; one whose matches are few is sorted whole. Both
// must list exactly the same customers in the same order, with the same total.
let t: TestApp;
let admin: Agent;
const statements: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
  admin = await loginAs(t.app, 'admin');
  const rows = [];
  // 105 of 120 customers match 马 (90 by name, some of those by company too, 15 by company alone);
  // updated_at is spread with ties, so the order's tie-break on id counts.
  for (let i = 0; i < 120; i++) {
    const owner = await t.userId(['rep1', 'rep2', 'rep3'][i % 3]);
    const kind = i % 8;
    const name = kind < 3 ? `马${i}客户` : kind < 6 ? `马${i}号` : kind === 6 ? `客户${i}` : `Other ${i}`;
    const company = kind >= 3 && kind < 6 ? `马氏${i}` : kind === 6 ? `马氏集团${i}` : null;
    const at = `2026-11-${String(1 + (i % 25)).padStart(2, '0')} 10:00:00`;
    rows.push({
      kind: 'company', name, company, status: 'new', owner_id: owner, owner_branch_id: await ownerBranchId(t.db, owner), created_by: owner,
      version: 1, created_at: at, updated_at: at, deleted_at: i === 8 ? at : null,
    });
  }
  await t.db('customers').insert(rows);
  await rebuildCustomerCounts(t.db);
  t.db.on('query', (q: { sql: string }) => statements.push(q.sql));
});
afterAll(() => t.close());

const idsOn = (html: string) => [...html.matchAll(/href="\/customers\/(\d+)"/g)].map((m) => Number(m[1]));
const totalOn = (html: string) => /data-test="total">\s*([^<]*?)\s*</.exec(html)?.[1];

/** The live customers whose name or company starts with the prefix, newest update first. */
async function expected(prefix: string): Promise<number[]> {
  const rows: Array<{ id: number; name: string; company: string | null; updated_at: string }> = await t.db('customers')
    .whereNull('deleted_at')
    .select('id', 'name', 'company', 'updated_at');
  return rows
    .filter((r) => r.name.startsWith(prefix) || (r.company ?? '').startsWith(prefix))
    .sort((a, b) => (a.updated_at === b.updated_at ? b.id - a.id : a.updated_at < b.updated_at ? 1 : -1))
    .map((r) => r.id);
}

/** Every page of the admin's search, and whether its rows came from the walk in updated_at order. */
async function search(prefix: string): Promise<{ ids: number[]; totals: Array<string | undefined>; walked: boolean[] }> {
  const result = { ids: [] as number[], totals: [] as Array<string | undefined>, walked: [] as boolean[] };
  for (let page = 1; page <= 6; page++) {
    statements.length = 0;
    const html = (await admin.get(`/customers?q=${encodeURIComponent(prefix)}&page=${page}`).set('Accept-Language', 'en')).text;
    result.ids.push(...idsOn(html));
    result.totals.push(totalOn(html));
    result.walked.push(statements.some((sql) => /\(name like \? escape '!' or company like \? escape '!'\)/.test(sql)));
  }
  return result;
}

describe('a name search with many matches', () => {
  it('walks in updated_at order and lists what the sorted search lists, page after page, with the same total', async () => {
    const want = await expected('马');
    expect(want.length).toBe(104);
    const got = await search('马');
    // 89 name matches of 119 live customers: the first page is walked (about one row and a third
    // read per match shown); deeper ones, whose walk would read past most of the table, are sorted.
    // The pages of the two ways join up with nothing lost or repeated.
    expect(got.walked.slice(0, 3)).toEqual([true, false, false]);
    expect(got.ids).toEqual(want);
    for (const total of got.totals) expect(total).toMatch(/\b104\b/);
  });

  it('sorts a prefix with few matches whole, as before', async () => {
    const want = await expected('马1');
    expect(want.length).toBeGreaterThan(0);
    const got = await search('马1');
    expect(got.walked.every((w) => !w)).toBe(true);
    expect(got.ids).toEqual(want);
    expect(got.totals[0]).toMatch(new RegExp(`\\b${want.length}\\b`));
  });

  it('stays inside a rep\'s own customers, sorted whole there', async () => {
    const rep1 = await loginAs(t.app, 'rep1');
    const own = new Set(await t.db('customers').where('owner_id', await t.userId('rep1')).pluck('id'));
    const html = (await rep1.get(`/customers?q=${encodeURIComponent('马')}`)).text;
    const ids = idsOn(html);
    expect(ids.length).toBe(20);
    expect(ids.every((id) => own.has(id))).toBe(true);
    expect(ids).toEqual((await expected('马')).filter((id) => own.has(id)).slice(0, 20));
  });
});
