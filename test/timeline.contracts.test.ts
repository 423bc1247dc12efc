import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { toDbTime } from '../src/db/time.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// A contract's life on its customer's timeline: drafted, submitted, approved, and each payment
// received on it, every entry leading to the contract; and all of it moving with the contract when
// it is put on another customer.
let t: TestApp;
let rep1: Agent;
let manager1: Agent;
let customerId: number;
let otherCustomerId: number;
let contractId: number;

const entriesOf = (html: string) => [...html.matchAll(/data-entry="(\w+)-(\d+)"/g)].map((m) => `${m[1]}-${m[2]}`);
const version = async (id: number) => String((await t.db('contracts').where({ id }).first()).version);

beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
  [rep1, manager1] = await Promise.all([loginAs(t.app, 'rep1'), loginAs(t.app, 'manager1')]);
  const owner = await t.userId('rep1');
  const customer = async (name: string) =>
    Number(
      (
        await t.db('customers').insert({
          kind: 'company', name, status: 'new', owner_id: owner, owner_branch_id: await ownerBranchId(t.db, owner), created_by: owner,
          version: 1, created_at: toDbTime(), updated_at: toDbTime(),
        })
      )[0],
    );
  customerId = await customer('回款时间线客户');
  otherCustomerId = await customer('接手合同的客户');

  const created = await postForm(rep1, '/contracts', {
    customer_id: String(customerId), title: '年度服务合同', currency: 'CNY',
    'items[0][product_name]': '服务', 'items[0][quantity]': '3', 'items[0][unit_price]': '333.33',
  });
  expect(created.status).toBe(303);
  contractId = Number(/\/contracts\/(\d+)$/.exec(created.headers.location)![1]);
  expect((await postForm(rep1, `/contracts/${contractId}/submit`, { version: await version(contractId) })).status).toBe(303);
  expect((await postForm(manager1, `/contracts/${contractId}/approve`, { version: await version(contractId) })).status).toBe(303);
  expect((await postForm(rep1, `/contracts/${contractId}/plans`, { due_date: '2099-01-31', amount: '999.99' })).status).toBe(303);
  const plan = await t.db('payment_plans').where({ contract_id: contractId }).first('id');
  const paid = await postForm(rep1, `/contracts/${contractId}/payments`, {
    plan_id: plan.id, amount: '500.50', paid_on: '2026-11-20', method: 'bank_transfer', reference: 'TX-42',
  });
  expect(paid.status).toBe(303);
});
afterAll(() => t.close());

describe("a contract on its customer's timeline", () => {
  it('shows the draft, the approval and the payment, newest first, each leading to the contract', async () => {
    const [event] = await t.db('contract_events').where({ contract_id: contractId, action: 'created' }).select('customer_id', 'actor_id');
    expect(event).toEqual({ customer_id: customerId, actor_id: await t.userId('rep1') });
    const payment = await t.db('payment_records').where({ contract_id: contractId }).first('id', 'customer_id');
    expect(payment.customer_id).toBe(customerId);

    const html = (await rep1.get(`/customers/${customerId}`)).text;
    const events = await t.db('contract_events').where({ contract_id: contractId }).orderBy('id', 'desc').pluck('id');
    // All written within the same second or so: ordered by time, then kind (contract before payment).
    expect(entriesOf(html).sort()).toEqual([...events.map((id) => `contract-${id}`), `payment-${payment.id}`].sort());
    const link = `<a href="/contracts/${contractId}">`;
    expect(html).toMatch(new RegExp(`起草了合同\\s*${link}`));
    expect(html).toMatch(new RegExp(`提交审批了合同\\s*${link}`));
    expect(html).toMatch(new RegExp(`审批通过了合同\\s*${link}`));
    expect(html).toMatch(new RegExp(`记录回款 500.50 CNY（2026\\D11\\D20\\D? 到账，银行转账），合同\\s*${link}`));

    const english = (await rep1.get(`/customers/${customerId}`).set('Accept-Language', 'en')).text;
    expect(english).toMatch(/drafted contract\s*<a/);
    expect(english).toMatch(/recorded a payment of 500.50 CNY \(received 11\/20\/2026, Bank transfer\) on contract\s*<a/);
  });

  it("starts the contract's own trail with its draft", async () => {
    const html = (await rep1.get(`/contracts/${contractId}`)).text;
    expect(html).toContain('data-test="event-created"');
    expect(html).toContain('起草了合同');
  });

  it('moves to the customer the contract is put on', async () => {
    const row = await t.db('contracts').where({ id: contractId }).first();
    const moved = await postForm(rep1, `/contracts/${contractId}`, {
      customer_id: String(otherCustomerId), title: row.title, currency: row.currency, version: String(row.version),
      'items[0][product_name]': '服务', 'items[0][quantity]': '3', 'items[0][unit_price]': '333.33',
    });
    expect(moved.status).toBe(303);
    const before = (await rep1.get(`/customers/${customerId}`)).text;
    expect(before).toContain('data-test="timeline-empty"');
    const after = (await rep1.get(`/customers/${otherCustomerId}`)).text;
    // The draft, submission, approval, the payment, and the new submission the change asked for.
    expect(entriesOf(after)).toHaveLength(5);
    expect(after).toContain('记录回款 500.50 CNY');
  });
});
