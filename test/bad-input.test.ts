import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCents } from '../src/shared/money.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// Issue 11, items 14-16: bad input is a 422 by the field (typed values kept) or a 404, never a 500;
// money typed as people type it is read exactly, and only amounts every database holds exactly.

let t: TestApp;
let admin: Agent;
let rep1: Agent;
let manager1: Agent;
let customerId: number;

beforeAll(async () => {
  t = await createTestApp({ customers: 20 });
  [admin, rep1, manager1] = await Promise.all(['admin', 'rep1', 'manager1'].map((u) => loginAs(t.app, u)));
  const rep1Id = await t.userId('rep1');
  customerId = (await t.db('customers').where({ owner_id: rep1Id }).orderBy('id').first('id')).id;
});
afterAll(() => t.close());

const errorOf = (html: string, field: string) => new RegExp(`data-test="error-${field.replace(/[[\]]/g, '\\$&')}">([^<]*)<`).exec(html)?.[1];
const escaped = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&#34;').replace(/</g, '&lt;');

async function newContract(agent: Agent, fields: Record<string, string> = {}) {
  return postForm(agent, '/contracts', {
    customer_id: String(customerId), title: 'Input contract', currency: 'CNY',
    'items[0][product_name]': 'Service', 'items[0][quantity]': '1', 'items[0][unit_price]': '1000', ...fields,
  });
}

async function approvedContract(unitPrice: string): Promise<number> {
  const res = await newContract(rep1, { 'items[0][unit_price]': unitPrice });
  expect(res.status).toBe(303);
  const id = Number(/\/contracts\/(\d+)$/.exec(res.headers.location)![1]);
  const version = async () => String((await t.db('contracts').where({ id }).first()).version);
  expect((await postForm(rep1, `/contracts/${id}/submit`, { version: await version() })).status).toBe(303);
  expect((await postForm(manager1, `/contracts/${id}/approve`, { version: await version() })).status).toBe(303);
  return id;
}

describe('amounts typed in forms (item 14)', () => {
  let contractId: number;
  beforeAll(async () => {
    contractId = await approvedContract('100000');
  });

  it('refuses NaN, Infinity, 1e5, 0x10 and the like as a plan amount: 422 by the field, the typed value kept', async () => {
    for (const amount of ['NaN', 'Infinity', '1e5', '0x10', '1,00', '1.005', '-5', '¥', '.5']) {
      const res = await postForm(rep1, `/contracts/${contractId}/plans`, { due_date: '2030-01-01', amount });
      expect(res.status, amount).toBe(422);
      expect(errorOf(res.text, 'amount'), amount).toBeTruthy();
      expect(res.text).toContain(`value="${escaped(amount)}"`);
    }
    expect(await t.db('payment_plans').where({ contract_id: contractId })).toEqual([]);
  });

  it('says why: two decimals at most, not negative, more than 0', async () => {
    const say = async (amount: string) =>
      errorOf((await postForm(rep1, `/contracts/${contractId}/plans`, { due_date: '2030-01-01', amount }).set('Accept-Language', 'en')).text, 'amount');
    expect(await say('1.005')).toBe('Two decimals at most.');
    expect(await say('-5')).toBe('Cannot be negative.');
    expect(await say('0')).toBe('Must be more than 0.');
  });

  it('reads "1,000.00", full-width "１２" and "¥1,200.50" as a person meant them, exactly', async () => {
    for (const amount of ['1,000.00', '１２', '¥1,200.50', '1 200', '１，２００．５０', '1200.5']) {
      const res = await postForm(rep1, `/contracts/${contractId}/plans`, { due_date: '2030-01-01', amount });
      expect(res.status, amount).toBe(303);
    }
    const stored = (await t.db('payment_plans').where({ contract_id: contractId }).orderBy('seq')).map((p) => toCents(p.amount));
    expect(stored).toEqual([100000n, 1200n, 120050n, 120000n, 120050n, 120050n]);
  });

  it('refuses the same bad amounts on a payment, and records a typed "1,000" as 1000.00', async () => {
    const plan = await t.db('payment_plans').where({ contract_id: contractId }).orderBy('seq').first();
    for (const amount of ['NaN', 'Infinity', '1e5', '0x10', '１２.345']) {
      const res = await postForm(rep1, `/contracts/${contractId}/payments`, { plan_id: String(plan.id), amount, paid_on: '2026-01-05', method: 'bank_transfer' });
      expect(res.status, amount).toBe(422);
      expect(errorOf(res.text, 'amount')).toBeTruthy();
    }
    const ok = await postForm(rep1, `/contracts/${contractId}/payments`, { plan_id: String(plan.id), amount: '1,000', paid_on: '2026-01-05', method: 'bank_transfer' });
    expect(ok.status).toBe(303);
    expect(toCents((await t.db('payment_records').where({ plan_id: plan.id }).first()).amount)).toBe(100000n);
  });

  it('reads a product price, an opportunity amount and a quote line the same way', async () => {
    const product = await postForm(admin, '/products', { name: 'Typed price', code: 'TP-1', list_price: '¥1,200.50', cost: '１，０００', is_active: '1' });
    expect(product.status).toBe(303);
    const stored = await t.db('products').where({ code: 'TP-1' }).first();
    expect([toCents(stored.list_price), toCents(stored.cost)]).toEqual([120050n, 100000n]);
    const bad = await postForm(admin, '/products', { name: 'Bad price', code: 'TP-2', list_price: 'Infinity', cost: '0x10', is_active: '1' });
    expect(bad.status).toBe(422);
    expect([errorOf(bad.text, 'list_price'), errorOf(bad.text, 'cost')].every(Boolean)).toBe(true);

    const stage = await t.db('pipeline_stages').where({ kind: 'open' }).orderBy('sort').first();
    const opportunity = { customer_id: String(customerId), title: 'Typed amount', currency: 'CNY', stage_id: String(stage.id) };
    expect((await postForm(rep1, '/opportunities', { ...opportunity, amount: '1e5' })).status).toBe(422);
    expect((await postForm(rep1, '/opportunities', { ...opportunity, amount: '1 200' })).status).toBe(303);
    expect(toCents((await t.db('opportunities').where({ title: 'Typed amount' }).first()).amount)).toBe(120000n);

    const quote = { customer_id: String(customerId), title: 'Typed quote', currency: 'CNY', 'items[0][product_name]': 'Line', 'items[0][quantity]': '１,０００' };
    const refused = await postForm(rep1, '/quotes', { ...quote, 'items[0][unit_price]': '0x10' });
    expect(refused.status).toBe(422);
    expect(errorOf(refused.text, 'items[0][unit_price]')).toBeTruthy();
    expect((await postForm(rep1, '/quotes', { ...quote, 'items[0][unit_price]': '¥1,200.50' })).status).toBe(303);
    expect(toCents((await t.db('quotes').where({ title: 'Typed quote' }).first()).total)).toBe(120050000n);
  });
});

describe('dates and date-times out of range (item 14)', () => {
  it('refuses a follow-up time in the year 0100 or at 9999-12-31T23:59 with a 422 that says the span', async () => {
    for (const next of ['0100-01-01T10:00', '9999-12-31T23:59', '1899-12-31T23:59']) {
      const res = await postForm(rep1, '/customers', { kind: 'company', name: 'Far future', status: 'new', next_follow_up_at: next }).set('Accept-Language', 'en');
      expect(res.status, next).toBe(422);
      expect(errorOf(res.text, 'next_follow_up_at')).toBe('Enter a date between the years 1900 and 2100.');
      expect(res.text).toContain(`value="${next}"`);
    }
    expect(await t.db('customers').where({ name: 'Far future' })).toEqual([]);
  });

  it('refuses such dates on contracts, plans, quotes, opportunities, contacts and follow-ups', async () => {
    expect((await newContract(rep1, { sign_date: '0100-01-01' })).status).toBe(422);
    expect((await newContract(rep1, { end_date: '9999-12-31' })).status).toBe(422);
    const quote = { customer_id: String(customerId), title: 'Dated', currency: 'CNY', 'items[0][product_name]': 'L', 'items[0][quantity]': '1', 'items[0][unit_price]': '1' };
    expect((await postForm(rep1, '/quotes', { ...quote, valid_until: '0100-01-01' })).status).toBe(422);
    const contact = await postForm(rep1, '/contacts', { customer_id: String(customerId), name: 'Old', birthday: '0100-01-01' });
    expect(contact.status).toBe(422);
    const followup = await postForm(rep1, '/followups', { customer_id: String(customerId), type: 'call', content: 'x', occurred_at: '9999-12-31T23:59' });
    expect(followup.status).toBe(422);
    expect(errorOf(followup.text, 'occurred_at')).toBeTruthy();
  });
});

describe("a schema's own message (item 14: a clear message by the field)", () => {
  it('is shown instead of the generic "This value is not valid."', async () => {
    const contact = await postForm(rep1, '/contacts', { customer_id: String(customerId), name: 'Born', birthday: '2026-02-31' }).set('Accept-Language', 'en');
    expect(errorOf(contact.text, 'birthday')).toBe('Enter a valid date.');
    const product = await postForm(admin, '/products', { name: 'Coded', code: 'a b', list_price: '1', is_active: '1' }).set('Accept-Language', 'en');
    expect(errorOf(product.text, 'code')).toBe('Letters, digits, dots, dashes, underscores and slashes only.');
  });
});

describe('ids are canonical positive integers, parsed in one place (item 14)', () => {
  it('answers 404 to /customers/0x10, 1e1, " 1", "01" instead of opening another customer', async () => {
    expect((await admin.get('/customers/16')).status).toBe(200);
    for (const id of ['0x10', '1e1', '%201', '1%20', '016', '16.0', '+16', '99999999999999999999', 'Infinity']) {
      expect((await admin.get(`/customers/${id}`)).status, id).toBe(404);
    }
  });

  it('answers 404 to a customer_id that is not an id in the query string', async () => {
    for (const id of ['Infinity', '0x10', '1e1', '-1', '0', 'NaN']) {
      expect((await rep1.get(`/opportunities/new?customer_id=${id}`)).status, id).toBe(404);
      expect((await rep1.get(`/quotes/new?customer_id=${id}`)).status, id).toBe(404);
      expect((await rep1.get(`/contacts/new?customer_id=${id}`)).status, id).toBe(404);
      expect((await rep1.get(`/followups/new?customer_id=${id}`)).status, id).toBe(404);
    }
    expect((await rep1.get(`/opportunities/new?customer_id=${customerId}`)).status).toBe(200);
  });

  it('answers 404 to a plan id that is not an id, and 422 to a form field naming a record by a non-id', async () => {
    const contract = await newContract(rep1);
    const id = Number(/\/contracts\/(\d+)$/.exec(contract.headers.location)![1]);
    expect((await rep1.get(`/contracts/${id}/plans/0x1/edit`)).status).toBe(404);
    const res = await newContract(rep1, { customer_id: `0x${customerId.toString(16)}` });
    expect(res.status).toBe(422);
    expect(errorOf(res.text, 'customer_id')).toBeTruthy();
  });
});

describe('a malformed language cookie (item 14)', () => {
  it('is ignored: /login and every page still answer', async () => {
    expect((await request(t.app).get('/login').set('Cookie', 'lang=%')).status).toBe(200);
    expect((await request(t.app).get('/login').set('Cookie', 'lang=%E0%A4%A')).status).toBe(200);
    expect((await rep1.get('/customers').set('Cookie', 'lang=%')).status).toBe(200);
  });
});

describe('money holds exactly on every database (item 15)', () => {
  const LARGEST = '9999999999999.99';

  it('keeps the largest allowed amount to the cent, through a product, a contract and its payment plan', async () => {
    const product = await postForm(admin, '/products', { name: 'Largest', code: 'MAX-1', list_price: '9,999,999,999,999.99', is_active: '1' });
    expect(product.status).toBe(303);
    expect(toCents((await t.db('products').where({ code: 'MAX-1' }).first()).list_price)).toBe(999999999999999n);
    const id = await approvedContract(LARGEST);
    expect(toCents((await t.db('contracts').where({ id }).first()).total)).toBe(999999999999999n);
    expect((await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2030-01-01', amount: LARGEST })).status).toBe(303);
    const plan = await t.db('payment_plans').where({ contract_id: id }).first();
    expect(toCents(plan.amount)).toBe(999999999999999n);
    const paid = await postForm(rep1, `/contracts/${id}/payments`, { plan_id: String(plan.id), amount: LARGEST, paid_on: '2026-01-05', method: 'bank_transfer' });
    expect(paid.status).toBe(303);
    expect(toCents((await t.db('payment_plans').where({ id: plan.id }).first()).received_amount)).toBe(999999999999999n);
  });

  it('refuses 9999999999999999.99 with the largest amount in the message, instead of storing 1e16', async () => {
    const res = await postForm(admin, '/products', { name: 'Too large', code: 'MAX-2', list_price: '9999999999999999.99', is_active: '1' }).set('Accept-Language', 'en');
    expect(res.status).toBe(422);
    expect(errorOf(res.text, 'list_price')).toBe('At most 9,999,999,999,999.99.');
    expect(await t.db('products').where({ code: 'MAX-2' })).toEqual([]);
  });

  it('refuses a line or a document total past the largest amount on the line that takes it over', async () => {
    const line = await newContract(rep1, { 'items[0][quantity]': '2', 'items[0][unit_price]': LARGEST });
    expect(line.status).toBe(422);
    expect(errorOf(line.text, 'items[0][quantity]')).toBeTruthy();
    const total = await newContract(rep1, {
      'items[0][unit_price]': '6000000000000',
      'items[1][product_name]': 'More', 'items[1][quantity]': '1', 'items[1][unit_price]': '6000000000000',
    });
    expect(total.status).toBe(422);
    expect(errorOf(total.text, 'items[1][quantity]')).toBeTruthy();
    expect(errorOf(total.text, 'items[0][quantity]')).toBeUndefined();
  });
});

describe('contract currencies (item 16)', () => {
  it('takes only the currencies opportunities and quotes offer', async () => {
    const before = await t.db('contracts').count({ n: '*' }).first();
    for (const currency of ['XXX', 'ABC', '', 'CNYY']) {
      const res = await newContract(rep1, { currency, title: `Currency ${currency}` });
      expect(res.status, currency).toBe(422);
      expect(errorOf(res.text, 'currency')).toBeTruthy();
    }
    expect((await t.db('contracts').count({ n: '*' }).first())?.n).toBe(before?.n);
    expect((await newContract(rep1, { currency: 'usd', title: 'In dollars' })).status).toBe(303);
    expect((await t.db('contracts').where({ title: 'In dollars' }).first()).currency).toBe('USD');
  });
});
