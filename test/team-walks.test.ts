import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { EQ_RANGE_INDEX_DIVE_LIMIT } from '../src/db/knex.js';
import { forgetReferenceData } from '../src/db/reference-cache.js';
import { toDbTime } from '../src/db/time.js';
import { rebuildCustomerCounts } from '../src/features/customers/customer-counts.js';
import { refreshPipelineTotals } from '../src/features/opportunities/pipeline-totals.js';
import { localToday } from '../src/i18n/calendar.js';
import { createTestApp, loginAs, type Agent, type TestApp } from './support/test-app.js';

// A team of EQ_RANGE_INDEX_DIVE_LIMIT owners or more is read through named indexes on MySQL
// (tableThroughIndex: My day's sections, the board's cards and closed counts, the list along the
// branch). The demo's teams are smaller, so this file grows manager1's team past the limit: on
// MariaDB a misnamed index would fail these pages, and every count must still be exact.
const NEW_REPS = EQ_RANGE_INDEX_DIVE_LIMIT;
let t: TestApp;
let manager1: Agent;
const DAY = 86_400_000;
const ago = (ms: number) => toDbTime(new Date(Date.now() - ms));

beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
  const rep1 = await t.db('users').where({ username: 'rep1' }).first();
  const stage = async (code: string) => (await t.db('pipeline_stages').where({ code }).first('id')).id;
  const [initial, won] = [await stage('initial_contact'), await stage('won')];
  const now = toDbTime();
  const owners: number[] = [];
  for (let i = 0; i < NEW_REPS; i++) {
    await t.db('users').insert({
      username: `east${i}`, password_hash: rep1.password_hash, display_name: `East ${i}`, role_id: rep1.role_id,
      department_id: rep1.department_id, time_zone: 'Asia/Shanghai', created_at: now, updated_at: now,
    });
    owners.push(await t.userId(`east${i}`));
  }
  forgetReferenceData(t.db);
  const today = localToday('Asia/Shanghai');
  for (const [i, owner] of owners.entries()) {
    const [customerId] = await t.db('customers').insert({
      kind: 'company', name: `团队客户${i}`, status: 'new', owner_id: owner, owner_branch_id: await ownerBranchId(t.db, owner), created_by: owner,
      version: 1, created_at: ago(90 * DAY), updated_at: ago(DAY), last_contact_at: ago(60 * DAY), next_follow_up_at: ago(DAY),
    });
    const opportunity = { customer_id: Number(customerId), amount: '10.00', currency: 'CNY', stage_entered_at: now, owner_id: owner, created_by: owner, version: 1, created_at: now, updated_at: now };
    await t.db('opportunities').insert([
      { ...opportunity, title: `团队商机${i}`, stage_id: initial, probability: 10, expected_close_date: today },
      { ...opportunity, title: `团队赢单${i}`, stage_id: won, probability: 100 },
    ]);
  }
  await refreshPipelineTotals(t.db, owners);
  await rebuildCustomerCounts(t.db);
  manager1 = await loginAs(t.app, 'manager1');
});
afterAll(() => t.close());

const badge = (html: string, name: string) => new RegExp(`data-test="myday-${name}"[\\s\\S]*?class="badge[^"]*">([^<]+)<`).exec(html)?.[1];

describe(`a team of ${NEW_REPS + 3}`, () => {
  it('gets every My day section exact', async () => {
    const html = (await manager1.get('/?view=team').expect(200)).text;
    expect(badge(html, 'due')).toBe(String(NEW_REPS));
    expect(badge(html, 'stale')).toBe(String(NEW_REPS));
    expect(badge(html, 'closing')).toBe(String(NEW_REPS));
    for (let i = 0; i < NEW_REPS; i++) expect(html).toContain(`团队客户${i}`);
  });

  it('gets the board exact', async () => {
    const html = (await manager1.get('/opportunities/board').set('Accept-Language', 'en').expect(200)).text;
    const column = html.slice(html.indexOf('data-test="column-initial_contact"'), html.indexOf('</section>', html.indexOf('data-test="column-initial_contact"')));
    expect(/data-test="count">(\d+)</.exec(column)?.[1]).toBe(String(NEW_REPS));
    expect(html).toContain(`This month: ${NEW_REPS} won, 0 lost.`);
  });

  it('gets the customer list exact', async () => {
    const html = (await manager1.get('/customers').set('Accept-Language', 'en').expect(200)).text;
    expect([...html.matchAll(/<a href="\/customers\/\d+">/g)]).toHaveLength(NEW_REPS);
    expect(/data-test="total">\s*([^<]*?)\s*</.exec(html)?.[1]).toMatch(new RegExp(`\\b${NEW_REPS}\\b`));
  });

  it('gets the customer list in every sorted order its walks read (name, status, last contact, next follow-up)', async () => {
    const ownerIds = (await t.db('users').where('username', 'like', 'east%').pluck('id')).map(Number);
    const rows = await t.db('customers').whereIn('owner_id', ownerIds).whereNull('deleted_at').select('id', 'name');
    // All of the team's customers share status and dates, so the order falls to the name or the id.
    const byName = [...rows].sort((a, b) => (a.name === b.name ? a.id - b.id : a.name < b.name ? -1 : 1)).map((r) => r.id);
    const byId = rows.map((r) => r.id).sort((a, b) => a - b);
    const listed = async (query: string) =>
      [...(await manager1.get(`/customers?${query}`).expect(200)).text.matchAll(/<a href="\/customers\/(\d+)">/g)].map((m) => Number(m[1]));
    expect(await listed('sort=name&dir=asc')).toEqual(byName);
    expect(await listed('sort=name&dir=desc')).toEqual([...byName].reverse());
    for (const sort of ['status', 'last_contact_at', 'next_follow_up_at']) {
      expect(await listed(`sort=${sort}&dir=asc`), sort).toEqual(byId);
      expect(await listed(`sort=${sort}&dir=desc&status=new`), sort).toEqual([...byId].reverse());
    }
  });
});
