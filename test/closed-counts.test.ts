import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../src/auth/load-actor.js';
import { ownerScope } from '../src/authz/data-scope.js';
import { toDbTime } from '../src/db/time.js';
import { enteredSince } from '../src/features/opportunities/closed-counts.js';
import { refreshPipelineTotals } from '../src/features/opportunities/pipeline-totals.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// "Won this month" starts at the user's midnight, which is a UTC month's edge only for a user in UTC:
// the count adds or takes off the hours between that midnight and the UTC month's nearer edge.
// Every moment around those edges must count exactly as a plain count of the opportunities would.
let t: TestApp;
let rep3: number;
let won: number;
const scopeOf = async (username: string) => ownerScope(t.db, (await loadActor(t.db, await t.userId(username)))!);

const ENTERED = [
  '2026-10-31 15:59:59', '2026-10-31 16:00:00', '2026-10-31 23:59:59', '2026-11-01 00:00:00', '2026-11-01 04:59:59',
  '2026-11-01 05:00:00', '2026-11-15 12:00:00', '2026-11-30 23:59:59', '2026-12-31 15:59:59', '2026-12-31 16:00:00',
  '2027-01-01 00:00:00', '2027-01-02 09:30:00',
];
// Month starts of users in UTC+8, UTC-5 and UTC, in autumn and across a new year; and odd moments.
const SINCE = [
  '2026-10-31 16:00:00', '2026-11-01 05:00:00', '2026-11-01 00:00:00', '2026-12-31 16:00:00', '2027-01-01 05:00:00',
  '2026-11-15 12:00:00', '2026-11-16 00:00:00', '2026-10-01 00:00:00', '2027-02-01 00:00:00',
];

beforeAll(async () => {
  t = await createTestApp({ customers: 12, sales: false });
  rep3 = await t.userId('rep3');
  won = (await t.db('pipeline_stages').where({ code: 'won' }).first('id')).id;
  const customer = await t.db('customers').where('owner_id', rep3).first('id');
  const now = toDbTime();
  const row = (entered: string, extra: object = {}) => ({
    customer_id: customer.id, title: `Won ${entered}`, amount: '1.00', currency: 'CNY', stage_id: won, probability: 100,
    stage_entered_at: entered, owner_id: rep3, created_by: rep3, version: 1, created_at: now, updated_at: now, ...extra,
  });
  // A deleted one at a counted moment must not count.
  await t.db('opportunities').insert([...ENTERED.map((e) => row(e)), row('2026-11-15 12:00:00', { deleted_at: now })]);
  await refreshPipelineTotals(t.db, [rep3]);
});
afterAll(() => t.close());

describe('won since the start of a month', () => {
  it.each(SINCE)('since %s counts exactly the opportunities entered since then', async (since) => {
    const expected = ENTERED.filter((e) => e >= since).length;
    const admin = await scopeOf('admin');
    expect((await enteredSince(t.db, admin, [won], since, rep3)).get(won)).toBe(expected);
    expect((await enteredSince(t.db, await scopeOf('rep3'), [won], since)).get(won)).toBe(expected);
  });

  it('leaves out the opportunities of owners outside the scope', async () => {
    const manager1 = await scopeOf('manager1');
    expect((await enteredSince(t.db, manager1, [won], '2026-10-01 00:00:00')).get(won)).toBe(0);
  });
});
