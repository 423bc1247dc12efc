import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCents } from '../src/shared/money.js';
import { approvedContract, atOnce } from './support/records.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// Money written by many requests at once: the database's invariants hold after every race
// (payments sum to the plan's received amount, which never passes the plan's amount; plans never
// pass the contract total), and no request answers 500.

let t: TestApp;
let rep1: Agent;
let manager1: Agent;
const agents: Agent[] = [];

beforeAll(async () => {
  t = await createTestApp();
  [rep1, manager1] = await Promise.all(['rep1', 'manager1'].map((u) => loginAs(t.app, u)));
  // Separate sessions, as ten people (or ten tabs) would send them.
  for (let i = 0; i < 10; i++) agents.push(await loginAs(t.app, i % 2 ? 'rep1' : 'manager1'));
});
afterAll(() => t.close());

const cents = (rows: Array<{ amount: string | number }>) => rows.reduce((sum, r) => sum + toCents(r.amount), 0n);

describe('payments posted at once', () => {
  it('ten payments of 100.00 on a plan of 300.00: three are taken, the rest refused (422), and the plan says what was received', async () => {
    const contractId = await approvedContract(t, rep1, 'rep1', '1000.00', manager1);
    expect((await postForm(rep1, `/contracts/${contractId}/plans`, { due_date: '2030-01-31', amount: '300.00' })).status).toBe(303);
    const plan = await t.db('payment_plans').where({ contract_id: contractId }).first();
    const statuses = await atOnce(10, (i) =>
      postForm(agents[i], `/contracts/${contractId}/payments`, { plan_id: String(plan.id), amount: '100.00', paid_on: '2030-01-15', method: 'bank_transfer' }),
    );
    expect(statuses.filter((s) => s === 303)).toHaveLength(3);
    expect(statuses.filter((s) => s !== 303).every((s) => s === 422)).toBe(true);
    const records = await t.db('payment_records').where({ plan_id: plan.id });
    const after = await t.db('payment_plans').where({ id: plan.id }).first();
    expect(cents(records)).toBe(toCents(after.received_amount));
    expect(toCents(after.received_amount)).toBe(30000n);
    expect(Boolean(after.is_settled)).toBe(true);
  });

  it('ten plans of 300.00 on a contract of 1,000.00, numbered by the server: three are stored with seq 1-3, the rest refused (422)', async () => {
    const contractId = await approvedContract(t, rep1, 'rep1', '1000.00', manager1);
    const statuses = await atOnce(10, (i) => postForm(agents[i], `/contracts/${contractId}/plans`, { due_date: '2030-02-28', amount: '300.00' }));
    expect(statuses.filter((s) => s === 303)).toHaveLength(3);
    expect(statuses.filter((s) => s !== 303).every((s) => s === 422)).toBe(true);
    const plans = await t.db('payment_plans').where({ contract_id: contractId }).orderBy('seq');
    expect(plans.map((p) => p.seq)).toEqual([1, 2, 3]);
    expect(cents(plans)).toBe(90000n);
  });

  it('ten plans with the same seq at once: one is stored, the others are told the number is taken (422)', async () => {
    const contractId = await approvedContract(t, rep1, 'rep1', '1000.00', manager1);
    const statuses = await atOnce(10, (i) => postForm(agents[i], `/contracts/${contractId}/plans`, { seq: '7', due_date: '2030-03-31', amount: '10.00' }));
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 303).every((s) => s === 422)).toBe(true);
    expect(await t.db('payment_plans').where({ contract_id: contractId })).toHaveLength(1);
  });
});
