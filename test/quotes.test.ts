import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let rep1: Agent;
let rep2: Agent;
let rep3: Agent;
let manager1: Agent;
let admin: Agent;
let customerOf: Record<string, number>;
let widget: number;

const now = '2026-11-22 00:00:00';
const blankRow = { product_id: '', product_name: '', quantity: '', unit_price: '', discount_percent: '' };
/** One line's fields; those not given are blank, so a line replaces the default one entirely. */
const row = (i: number, fields: Record<string, string>) =>
  Object.fromEntries(Object.entries({ ...blankRow, ...fields }).map(([f, v]) => [`items[${i}][${f}]`, v]));

beforeAll(async () => {
  t = await createTestApp({ customers: 12 });
  [rep1, rep2, rep3, manager1, admin] = await Promise.all(['rep1', 'rep2', 'rep3', 'manager1', 'admin'].map((u) => loginAs(t.app, u)));
  customerOf = {};
  for (const username of ['rep1', 'rep2', 'rep3']) {
    const owner = await t.userId(username);
    const [id] = await t.db('customers').insert({
      kind: 'company', name: `Quote customer of ${username}`, status: 'new', owner_id: owner, owner_branch_id: await ownerBranchId(t.db, owner),
      created_by: owner, version: 1, created_at: now, updated_at: now,
    });
    customerOf[username] = Number(id);
  }
  const [id] = await t.db('products').insert({ name: 'Quote widget', code: 'QW-1', list_price: '33.33', is_active: true, created_at: now, updated_at: now });
  widget = Number(id);
});
afterAll(() => t.close());

function quoteFields(customerId: number, extra: Record<string, string> = {}) {
  return {
    customer_id: String(customerId),
    title: 'Routers for the new office',
    currency: 'CNY',
    valid_until: '2026-12-31',
    ...row(0, { product_name: 'Router', quantity: '3', unit_price: '33.33', discount_percent: '10' }),
    ...extra,
  };
}

async function createQuote(agent: Agent, customerId: number, extra: Record<string, string> = {}): Promise<number> {
  const res = await postForm(agent, '/quotes', quoteFields(customerId, extra));
  expect(res.status).toBe(303);
  return Number(/\/quotes\/(\d+)$/.exec(res.headers.location)![1]);
}

const quote = (id: number) => t.db('quotes').where({ id }).first();

describe('creating a quote', () => {
  it('computes exact totals on the server and ignores totals sent by the browser', async () => {
    const id = await createQuote(rep1, customerOf.rep1, {
      ...row(1, { product_name: 'Cable', quantity: '0.5', unit_price: '0.01' }),
      ...row(2, { product_name: 'Licence', quantity: '7', unit_price: '0.15', discount_percent: '33.33' }),
      subtotal: '1', discount_total: '0', total: '0.01', 'items[0][line_total]': '1',
    });
    const saved = await quote(id);
    expect([saved.subtotal, saved.discount_total, saved.total].map(String).map((v) => Number(v).toFixed(2))).toEqual(['101.05', '10.35', '90.70']);
    const items = await t.db('quote_items').where({ quote_id: id }).orderBy('sort');
    expect(items.map((i) => Number(i.line_total).toFixed(2))).toEqual(['89.99', '0.01', '0.70']);
    const page = await rep1.get(`/quotes/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-test="total">90.70<');
    expect(page.text).toContain('data-test="line-total">89.99<');
  });

  it('numbers quotes QT-<year>-000123, unique and consecutive', async () => {
    const a = await quote(await createQuote(rep1, customerOf.rep1));
    const b = await quote(await createQuote(rep2, customerOf.rep2));
    expect(a.number).toMatch(/^QT-\d{4}-\d{6}$/);
    const seq = (n: string) => Number(n.slice(-6));
    expect(seq(b.number)).toBe(seq(a.number) + 1);
    const numbers = (await t.db('quotes').select('number')).map((r) => r.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(await t.db('audit_log').where({ entity: 'quote', entity_id: a.id, action: 'create' }).first()).toBeDefined();
  });

  it('never hands out the same number to quotes saved at the same time', async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => postForm(i % 2 ? rep1 : rep2, '/quotes', quoteFields(i % 2 ? customerOf.rep1 : customerOf.rep2, { title: `Parallel ${i}` }))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(303));
    const numbers = (await t.db('quotes').where('title', 'like', 'Parallel %').select('number')).map((r) => Number(r.number.slice(-6))).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(6);
    expect(numbers[5] - numbers[0]).toBe(5);
  });

  it('answers 422 with a message by each bad field and every typed line kept', async () => {
    const res = await postForm(rep1, '/quotes', {
      ...quoteFields(customerOf.rep1, { title: '', valid_until: '2026-02-30x' }),
      ...row(1, { product_name: '保留 🙂', quantity: '-1', unit_price: '12.345', discount_percent: '150' }),
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-title"');
    expect(res.text).toContain('data-test="error-valid_until"');
    expect(res.text).toContain('data-test="error-items[1][quantity]"');
    expect(res.text).toContain('data-test="error-items[1][unit_price]"');
    expect(res.text).toContain('data-test="error-items[1][discount_percent]"');
    expect(res.text).toContain('value="保留 🙂"');
    expect(res.text).toContain('value="-1"');
    expect(res.text).toContain('value="12.345"');
    expect(res.text).toContain('value="150"');
    expect(res.text).toContain('value="33.33"');
  });

  it('refuses a day that is not on the calendar (2026-02-31) with 422 by the field, on create and on edit, and stores nothing', async () => {
    const before = await t.db('quotes').count({ n: '*' }).first();
    const res = await postForm(rep1, '/quotes', quoteFields(customerOf.rep1, { title: 'Impossible day', valid_until: '2026-02-31' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-valid_until"');
    expect(res.text).toContain('value="2026-02-31"');
    expect(res.text).toContain('value="Impossible day"');
    expect((await t.db('quotes').count({ n: '*' }).first())?.n).toBe(before?.n);

    const id = await createQuote(rep1, customerOf.rep1);
    const edit = await postForm(rep1, `/quotes/${id}`, quoteFields(customerOf.rep1, { version: '1', title: 'Still impossible', valid_until: '2026-02-31' }));
    expect(edit.status).toBe(422);
    expect(edit.text).toContain('data-test="error-valid_until"');
    expect(edit.text).toContain('value="2026-02-31"');
    const stored = await quote(id);
    expect(stored.title).toBe('Routers for the new office');
    expect(stored.version).toBe(1);
  });

  it('needs at least one line', async () => {
    const res = await postForm(rep1, '/quotes', { customer_id: String(customerOf.rep1), title: 'Empty', currency: 'CNY' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-items"');
  });

  it('"add rows" shows the form again with more blank rows, saving nothing', async () => {
    const before = (await t.db('quotes').count({ n: '*' }).first())!.n;
    const res = await postForm(rep1, '/quotes', { ...quoteFields(customerOf.rep1), items_blank: '2', add_rows: '1' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="items[7][quantity]"');
    expect(res.text).not.toContain('name="items[8][quantity]"');
    expect(res.text).toContain('value="Router"');
    expect((await t.db('quotes').count({ n: '*' }).first())!.n).toBe(before);
  });

  it('fills name and list price from a product picked without JavaScript', async () => {
    const id = await createQuote(rep1, customerOf.rep1, { ...row(0, { product_id: String(widget), quantity: '3', discount_percent: '10' }) });
    const [item] = await t.db('quote_items').where({ quote_id: id });
    expect(item.product_name).toBe('Quote widget');
    expect(Number(item.line_total).toFixed(2)).toBe('89.99');
  });

  it('offers the customer search and the form for a customer in scope only', async () => {
    const search = await rep1.get('/quotes/new?customer_q=Quote%20customer');
    expect(search.text).toContain(`/quotes/new?customer_id=${customerOf.rep1}`);
    expect(search.text).not.toContain(`/quotes/new?customer_id=${customerOf.rep3}`);
    expect((await rep1.get(`/quotes/new?customer_id=${customerOf.rep1}`)).status).toBe(200);
    expect((await rep1.get(`/quotes/new?customer_id=${customerOf.rep3}`)).status).toBe(404);
    expect((await postForm(rep1, '/quotes', quoteFields(customerOf.rep3))).status).toBe(404);
  });

  it('refuses an opportunity of another customer (422)', async () => {
    const owner = await t.userId('rep1');
    const stage = await t.db('pipeline_stages').first('id');
    const [opp] = await t.db('opportunities').insert({
      customer_id: customerOf.rep2, title: 'Other', stage_id: stage.id, stage_entered_at: now, owner_id: owner, created_by: owner, created_at: now, updated_at: now,
    });
    const res = await postForm(rep1, '/quotes', quoteFields(customerOf.rep1, { opportunity_id: String(opp) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-opportunity_id"');
  });
});

describe('scope and permissions', () => {
  it('404 for a quote out of scope; a manager sees the team\'s quotes', async () => {
    const id = await createQuote(rep1, customerOf.rep1, { title: 'Scoped quote' });
    expect((await rep3.get(`/quotes/${id}`)).status).toBe(404);
    expect((await rep3.get(`/quotes/${id}/edit`)).status).toBe(404);
    expect((await postForm(rep3, `/quotes/${id}`, { ...quoteFields(customerOf.rep3), version: '1' })).status).toBe(404);
    expect((await postForm(rep3, `/quotes/${id}/status`, { status: 'sent', version: '1' })).status).toBe(404);
    expect((await rep3.get('/quotes?q=Scoped')).text).not.toContain('Scoped quote');
    expect((await manager1.get(`/quotes/${id}`)).status).toBe(200);
    expect((await manager1.get('/quotes?q=Scoped')).text).toContain('Scoped quote');
    expect((await admin.get(`/quotes/${id}`)).status).toBe(200);
  });

  it('403 for a role without the quote permissions', async () => {
    const role = await t.db('roles').where({ code: 'rep' }).first('id');
    await t.db('role_permissions').where({ role_id: role.id }).whereIn('permission', ['quotes.view', 'quotes.create']).delete();
    const { forgetReferenceData } = await import('../src/db/reference-cache.js');
    forgetReferenceData(t.db);
    try {
      const fresh = await loginAs(t.app, 'rep2');
      expect((await fresh.get('/quotes')).status).toBe(403);
      expect((await fresh.get(`/quotes/new?customer_id=${customerOf.rep2}`)).status).toBe(403);
      expect((await postForm(fresh, '/quotes', quoteFields(customerOf.rep2))).status).toBe(403);
    } finally {
      await t.db('role_permissions').insert([{ role_id: role.id, permission: 'quotes.view' }, { role_id: role.id, permission: 'quotes.create' }]);
      forgetReferenceData(t.db);
    }
  });
});

describe('editing and status', () => {
  it('edits a draft (303, audit), and 409 on a stale version with the typed values kept', async () => {
    const id = await createQuote(rep1, customerOf.rep1);
    const edit = await rep1.get(`/quotes/${id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain('value="33.33"');
    const ok = await postForm(rep1, `/quotes/${id}`, quoteFields(customerOf.rep1, { version: '1', title: 'Renamed', ...row(0, { product_name: 'Router', quantity: '2', unit_price: '10' }) }));
    expect(ok.status).toBe(303);
    expect(Number((await quote(id)).total).toFixed(2)).toBe('20.00');
    const audit = await t.db('audit_log').where({ entity: 'quote', entity_id: id, action: 'update' }).first();
    expect(JSON.parse(audit.changes)).toHaveProperty('items');
    const stale = await postForm(rep1, `/quotes/${id}`, quoteFields(customerOf.rep1, { version: '1', title: 'Stale title', ...row(0, { product_name: 'Stale line', quantity: '1', unit_price: '1' }) }));
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('data-test="conflict"');
    expect(stale.text).toContain('value="Stale title"');
    expect(stale.text).toContain('value="Stale line"');
    expect((await quote(id)).title).toBe('Renamed');
  });

  it('moves draft → sent → accepted, refuses illegal moves, and locks a sent quote', async () => {
    const id = await createQuote(rep1, customerOf.rep1);
    const illegal = await postForm(rep1, `/quotes/${id}/status`, { status: 'accepted', version: '1' });
    expect(illegal.status).toBe(409);
    expect(illegal.text).toContain('data-test="notice"');
    expect((await postForm(rep1, `/quotes/${id}/status`, { status: 'bogus', version: '1' })).status).toBe(422);
    expect((await postForm(rep1, `/quotes/${id}/status`, { status: 'sent', version: '1' })).status).toBe(303);
    expect((await quote(id)).status).toBe('sent');
    // Stale version: someone already moved it.
    expect((await postForm(rep1, `/quotes/${id}/status`, { status: 'rejected', version: '1' })).status).toBe(409);
    expect((await rep1.get(`/quotes/${id}/edit`)).status).toBe(409);
    expect((await postForm(rep1, `/quotes/${id}`, quoteFields(customerOf.rep1, { version: '2' }))).status).toBe(409);
    const page = await rep1.get(`/quotes/${id}`);
    expect(page.text).toContain('data-test="status-accepted"');
    expect(page.text).not.toContain('data-test="edit"');
    expect(page.text).not.toContain('data-test="create-contract"');
    expect((await postForm(rep1, `/quotes/${id}/status`, { status: 'accepted', version: '2' })).status).toBe(303);
    const accepted = await rep1.get(`/quotes/${id}`);
    expect(accepted.text).toContain('data-test="create-contract"');
    expect(accepted.text).toContain(`action="/quotes/${id}/contract"`);
    expect((await postForm(rep1, `/quotes/${id}/status`, { status: 'rejected', version: '3' })).status).toBe(409);
    expect((await quote(id)).status).toBe('accepted');
    const audits = await t.db('audit_log').where({ entity: 'quote', entity_id: id, action: 'update' });
    expect(audits).toHaveLength(2);
  });

  it('lists quotes with totals, searchable by number and filtered by status', async () => {
    const id = await createQuote(rep2, customerOf.rep2, { title: 'Listed quote' });
    const { number } = await quote(id);
    const list = await rep2.get(`/quotes?q=${number.toLowerCase()}`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('Listed quote');
    expect(list.text).toContain('CNY 89.99');
    expect((await rep2.get('/quotes?q=Listed&status=sent')).text).not.toContain('Listed quote');
    expect((await rep2.get('/quotes?q=Listed&status=draft&sort=total&dir=asc')).text).toContain('Listed quote');
  });

  it('keeps a deactivated product on old quotes but no longer offers it', async () => {
    const [oldId] = await t.db('products').insert({ name: 'Retired gadget', code: 'RET-1', list_price: '5', is_active: true, created_at: now, updated_at: now });
    const id = await createQuote(rep1, customerOf.rep1, { ...row(0, { product_id: String(oldId), quantity: '1' }) });
    await t.db('products').where({ id: oldId }).update({ is_active: false });
    const page = await rep1.get(`/quotes/${id}`);
    expect(page.text).toContain('Retired gadget');
    const fresh = await rep1.get(`/quotes/new?customer_id=${customerOf.rep1}`);
    expect(fresh.text).not.toContain('Retired gadget');
    expect(fresh.text).toContain('Quote widget');
    // Still selectable on the quote that has it, and it saves.
    const edit = await rep1.get(`/quotes/${id}/edit`);
    expect(edit.text).toContain('Retired gadget');
    const saved = await postForm(rep1, `/quotes/${id}`, quoteFields(customerOf.rep1, { version: '1', ...row(0, { product_id: String(oldId), product_name: 'Retired gadget', quantity: '2', unit_price: '5' }) }));
    expect(saved.status).toBe(303);
    // A new quote cannot pick it.
    const refused = await postForm(rep1, '/quotes', quoteFields(customerOf.rep1, { ...row(0, { product_id: String(oldId), quantity: '1' }) }));
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('data-test="error-items[0][product_id]"');
  });
});
