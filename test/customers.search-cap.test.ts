import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { rebuildCustomerCounts } from '../src/features/customers/customer-counts.js';
import { SEARCH_COUNT_CAP } from '../src/shared/pagination.js';
import { createTestApp, loginAs, type Agent, type TestApp } from './support/test-app.js';

// A search counts its matches up to SEARCH_COUNT_CAP and says "More than 1,000" past it, whichever
// way it is answered (walked in order or sorted whole); the whole list still counts up to 10,000.
let t: TestApp;
let admin: Agent;
const MATCHES = SEARCH_COUNT_CAP + 50;

beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
  admin = await loginAs(t.app, 'admin');
  const owner = await t.userId('rep1');
  const branch = await ownerBranchId(t.db, owner);
  const rows = [];
  // 1,050 companies named 北京… (name and company alike, as a company customer is kept) and 150 others.
  for (let i = 0; i < MATCHES + 150; i++) {
    const name = i < MATCHES ? `北京${i}科技` : `上海${i}贸易`;
    const at = `2026-10-${String(1 + (i % 28)).padStart(2, '0')} 09:00:00`;
    rows.push({
      kind: 'company', name, company: name, status: 'new', owner_id: owner, owner_branch_id: branch, created_by: owner,
      version: 1, created_at: at, updated_at: at,
    });
  }
  for (let i = 0; i < rows.length; i += 300) await t.db('customers').insert(rows.slice(i, i + 300));
  await rebuildCustomerCounts(t.db);
});
afterAll(() => t.close());

const totalOn = (html: string) => /data-test="total">\s*([^<]*?)\s*</.exec(html)?.[1];
const rowsOn = (html: string) => [...html.matchAll(/href="\/customers\/(\d+)"/g)].length;

describe('the search count cap', () => {
  it('says "More than 1,000" for a search with more matches, on its first page and on a deep one', async () => {
    for (const page of [1, 3, 53]) {
      const html = (await admin.get(`/customers?q=${encodeURIComponent('北京')}&page=${page}`).set('Accept-Language', 'en')).text;
      expect(totalOn(html)).toBe('More than 1,000');
      expect(rowsOn(html)).toBe(page === 53 ? MATCHES - 52 * 20 : 20);
    }
  });

  it('counts a search below the cap exactly', async () => {
    const html = (await admin.get(`/customers?q=${encodeURIComponent('北京10')}`).set('Accept-Language', 'en')).text;
    // 北京10, 北京100–北京109 and 北京1000–北京1049.
    expect(totalOn(html)).toMatch(/\b61\b/);
  });

  it('still counts the whole list exactly past a thousand', async () => {
    const html = (await admin.get('/customers').set('Accept-Language', 'en')).text;
    expect(totalOn(html)).toMatch(/\b1,200\b/);
  });
});
