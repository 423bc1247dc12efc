import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { toDbTime } from '../src/db/time.js';
import { rebuildCustomerCounts } from '../src/features/customers/customer-counts.js';
import { createTestApp, loginAs, type Agent, type TestApp } from './support/test-app.js';

// The list's total comes from the per-owner summary (the whole list), from a capped count (a search)
// or, where the page proves it, from the page itself: every way must show the same number.
let t: TestApp;
let rep1: Agent;

beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
  rep1 = await loginAs(t.app, 'rep1');
  const owner = await t.userId('rep1');
  const branch = await ownerBranchId(t.db, owner);
  const now = toDbTime();
  const rows = Array.from({ length: 45 }, (_, i) => ({
    kind: 'company', name: `分页客户${String(i).padStart(2, '0')}`, status: 'new', owner_id: owner, owner_branch_id: branch, created_by: owner,
    version: 1, created_at: now, updated_at: now,
  }));
  await t.db('customers').insert(rows);
  // Rows inserted behind the app's back: the list's whole-list total is the summary's.
  await rebuildCustomerCounts(t.db);
});
afterAll(() => t.close());

const totalOn = (html: string) => /data-test="total">\s*([^<]*?)\s*</.exec(html)?.[1];
const rowsOn = (html: string) => [...html.matchAll(/<a href="\/customers\/\d+">/g)].length;

describe('the list total', () => {
  it('is the same on a full page, the last partial page and a page past the end', async () => {
    const first = (await rep1.get('/customers?page=1').set('Accept-Language', 'en')).text;
    const last = (await rep1.get('/customers?page=3').set('Accept-Language', 'en')).text;
    const beyond = (await rep1.get('/customers?page=9').set('Accept-Language', 'en')).text;
    expect(rowsOn(first)).toBe(20);
    expect(rowsOn(last)).toBe(5);
    expect(rowsOn(beyond)).toBe(0);
    for (const html of [first, last, beyond]) expect(totalOn(html)).toMatch(/\b45\b/);
    expect(last).toMatch(/3 \/ 3|of 3|3 of 3/);
  });
});

describe('the total of a name search', () => {
  it('counts customers matching by name or company once, the same on every page', async () => {
    const owner = await t.userId('rep1');
    const branch = await ownerBranchId(t.db, owner);
    const now = toDbTime();
    const row = (name: string, company: string) => ({
      kind: 'company', name, company, status: 'new', owner_id: owner, owner_branch_id: branch, created_by: owner, version: 1, created_at: now, updated_at: now,
    });
    // Two match by company only, one by both name and company (counted once): 45 + 3.
    await t.db('customers').insert([row('Other A', '分页公司'), row('Other B', '分页公司'), row('分页客户99', '分页公司'), row('Elsewhere', 'Not it')]);
    await rebuildCustomerCounts(t.db);
    const search = (page: number) => rep1.get(`/customers?q=${encodeURIComponent('分页')}&page=${page}`).set('Accept-Language', 'en');
    const [first, second, last, beyond] = await Promise.all([1, 2, 3, 9].map(async (page) => (await search(page)).text));
    expect([first, second, last, beyond].map(rowsOn)).toEqual([20, 20, 8, 0]);
    for (const html of [first, second, last, beyond]) expect(totalOn(html)).toMatch(/\b48\b/);
  });
});
