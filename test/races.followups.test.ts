import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atOnce, insertCustomer } from './support/records.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// Several people logging a follow-up on one customer at the same moment: every follow-up is stored
// and the customer's last contact is the latest of them. On MariaDB the insert's foreign key check
// share-locked the customer before the customer's update wanted it exclusively, and two such
// transactions deadlocked (a 500 and a lost follow-up).

let t: TestApp;
const agents: Agent[] = [];

beforeAll(async () => {
  t = await createTestApp();
  for (let i = 0; i < 10; i++) agents.push(await loginAs(t.app, i % 2 ? 'rep1' : 'manager1'));
});
afterAll(() => t.close());

describe('follow-ups logged at once on one customer', () => {
  it('three rounds of ten at once: all thirty stored, none answered 500, last contact the latest', async () => {
    const customerId = await insertCustomer(t, 'rep1');
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      statuses.push(
        ...(await atOnce(10, (i) =>
          postForm(agents[i], '/followups', {
            customer_id: String(customerId), type: 'call', content: `Call ${round}-${i}`,
            occurred_at: `2026-03-0${round + 1}T1${i % 10}:00`, next_follow_up_at: '2030-01-01T09:00',
          }),
        )),
      );
    }
    expect(statuses).toEqual(Array(30).fill(303));
    expect(await t.db('followups').where({ customer_id: customerId })).toHaveLength(30);
    const customer = await t.db('customers').where({ id: customerId }).first();
    expect(String(customer.last_contact_at)).toMatch(/^2026-03-03 /);
  });
});
