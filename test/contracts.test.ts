import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { toCents } from '../src/shared/money.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let rep1: Agent;
let rep3: Agent;
let manager1: Agent;
let manager2: Agent;
const ids: Record<string, number> = {};
const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

beforeAll(async () => {
  t = await createTestApp();
  [rep1, rep3, manager1, manager2] = await Promise.all(['rep1', 'rep3', 'manager1', 'manager2'].map((u) => loginAs(t.app, u)));
  for (const u of ['rep1', 'rep2', 'rep3', 'manager1', 'manager2', 'admin']) ids[u] = await t.userId(u);
});
afterAll(() => t.close());

async function newCustomer(owner: string, name: string): Promise<number> {
  const [id] = await t.db('customers').insert({
    kind: 'company', name, status: 'new', owner_id: ids[owner], owner_branch_id: await ownerBranchId(t.db, ids[owner]),
    created_by: ids[owner], version: 1, created_at: now(), updated_at: now(),
  });
  return Number(id);
}

function contractFields(customerId: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    customer_id: String(customerId),
    title: '年度维保合同',
    currency: 'CNY',
    'items[0][product_name]': 'Licence',
    'items[0][quantity]': '3',
    'items[0][unit_price]': '33.33',
    'items[0][discount_percent]': '10',
    ...extra,
  };
}

async function createAs(agent: Agent, customerId: number, extra: Record<string, string> = {}): Promise<number> {
  const res = await postForm(agent, '/contracts', contractFields(customerId, extra));
  expect(res.status, why(res.text)).toBe(303);
  return Number(/\/contracts\/(\d+)$/.exec(res.headers.location)![1]);
}

/** The stack trace of an error page (shown outside production), else the page's start: why a save failed. */
const why = (html: string) => html.slice(Math.max(0, html.indexOf('<pre')), Math.max(0, html.indexOf('<pre')) + 1500);
const contract = (id: number) => t.db('contracts').where({ id }).first();
const year = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date());

describe('create', () => {
  it('computes the total exactly from the items, numbers contracts consecutively, audits, and flashes', async () => {
    const customerId = await newCustomer('rep1', '杭州云帆科技');
    const first = await createAs(rep1, customerId);
    const second = await createAs(rep1, customerId, { title: 'Second' });
    const [a, b] = [await contract(first), await contract(second)];
    expect(toCents(a.total)).toBe(8999n); // 3 × 33.33 less 10% = 89.99
    expect(a.number).toMatch(new RegExp(`^CT-${year()}-\\d{6}$`));
    expect(Number(b.number.slice(-6))).toBe(Number(a.number.slice(-6)) + 1);
    expect(a.status).toBe('draft');
    expect(a.owner_id).toBe(ids.rep1);
    const items = await t.db('contract_items').where({ contract_id: first });
    expect(items).toHaveLength(1);
    expect(toCents(items[0].line_total)).toBe(8999n);
    const audit = await t.db('audit_log').where({ entity: 'contract', entity_id: first, action: 'create' }).first();
    expect(audit.actor_id).toBe(ids.rep1);
    expect(JSON.parse(audit.changes).number.after).toBe(a.number);
    const page = await rep1.get(`/contracts/${first}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-test="flash"');
    expect(page.text).toContain('89.99');
  });

  it('gives contracts saved at the same time distinct, consecutive numbers', async () => {
    const customerId = await newCustomer('rep1', 'Parallel Co');
    const created = await Promise.all(Array.from({ length: 5 }, (_, i) => createAs(rep1, customerId, { title: `Parallel ${i}` })));
    const numbers = (await t.db('contracts').whereIn('id', created).pluck('number')).map((n: string) => Number(n.slice(-6))).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(5);
    expect(numbers[4] - numbers[0]).toBe(4);
  });

  it('answers 422 with messages by the bad fields and the typed values kept', async () => {
    const customerId = await newCustomer('rep1', 'Kept Values Ltd');
    const res = await postForm(rep1, '/contracts', contractFields(customerId, {
      title: '  ',
      currency: 'yuan',
      start_date: '2026-05-01',
      end_date: '2026-04-01',
      remark: 'Keep me 🙂',
      'items[0][quantity]': 'three',
    }));
    expect(res.status).toBe(422);
    for (const field of ['title', 'currency', 'items[0][quantity]']) expect(res.text).toContain(`data-test="error-${field}"`);
    expect(res.text).toContain('value="yuan"');
    expect(res.text).toContain('value="three"');
    expect(res.text).toContain('Keep me 🙂');
    const dates = await postForm(rep1, '/contracts', contractFields(customerId, { start_date: '2026-05-01', end_date: '2026-04-01' }));
    expect(dates.status).toBe(422);
    expect(dates.text).toContain('data-test="error-end_date"');
    expect(dates.text).toContain('value="2026-04-01"');
    expect(await t.db('contracts').where({ customer_id: customerId }).first()).toBeUndefined();
  });

  it("refuses a customer outside the user's scope (422) and a POST without CSRF (403)", async () => {
    const foreign = await newCustomer('rep3', 'North Only');
    const res = await postForm(rep1, '/contracts', contractFields(foreign));
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-customer_id"');
    expect(res.text).not.toContain('North Only');
    const noCsrf = await rep1.post('/contracts').type('form').send(contractFields(foreign));
    expect(noCsrf.status).toBe(403);
  });

  it('"add rows" shows the form again with more blank rows and saves nothing', async () => {
    const customerId = await newCustomer('rep1', 'Rows Ltd');
    const res = await postForm(rep1, '/contracts', contractFields(customerId, { add_rows: '1' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="items[5][quantity]"');
    expect(await t.db('contracts').where({ customer_id: customerId }).first()).toBeUndefined();
  });
});

describe('scope', () => {
  it('a contract is visible to its owner and their managers only (404 otherwise)', async () => {
    const id = await createAs(rep1, await newCustomer('rep1', 'Scoped Co'));
    expect((await rep1.get(`/contracts/${id}`)).status).toBe(200);
    expect((await manager1.get(`/contracts/${id}`)).status).toBe(200);
    expect((await rep3.get(`/contracts/${id}`)).status).toBe(404);
    expect((await manager2.get(`/contracts/${id}`)).status).toBe(404);
    expect((await rep3.get(`/contracts/${id}/edit`)).status).toBe(404);
    expect((await postForm(rep3, `/contracts/${id}/submit`, { version: (await contract(id)).version })).status).toBe(404);
    expect((await postForm(rep3, `/contracts/${id}/submit`)).status).toBe(404);
    const list = await rep3.get('/contracts');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(`href="/contracts/${id}"`);
  });
});

describe('list', () => {
  it('searches by number and title, filters by status and owner, sorts and paginates', async () => {
    const customerId = await newCustomer('rep1', 'Listing Co');
    const id = await createAs(rep1, customerId, { title: 'Zebra unique title' });
    const number = (await contract(id)).number;
    const byTitle = await rep1.get('/contracts?q=Zebra%20unique');
    expect(byTitle.text).toContain(`href="/contracts/${id}"`);
    const byNumber = await rep1.get(`/contracts?q=${number}`);
    expect(byNumber.text).toContain(`href="/contracts/${id}"`);
    expect((await rep1.get('/contracts?q=nothing-like-this')).text).toContain('data-test="empty"');
    expect((await rep1.get('/contracts?status=signed')).text).not.toContain(`href="/contracts/${id}"`);
    expect((await rep1.get('/contracts?status=draft')).text).toContain(`href="/contracts/${id}"`);
    // The owner filter is offered to managers; rep1's contracts are not rep2's.
    const team = await manager1.get(`/contracts?owner_id=${ids.rep2}`);
    expect(team.text).toContain('id="filter-owner"');
    expect(team.text).not.toContain(`href="/contracts/${id}"`);
    expect((await rep1.get('/contracts')).text).not.toContain('id="filter-owner"');
    const sorted = await rep1.get('/contracts?sort=total&dir=asc&per_page=20&page=1');
    expect(sorted.status).toBe(200);
    expect(sorted.text).toContain('aria-sort="ascending"');
  });
});

describe('edit', () => {
  it('saves with 303, answers 409 on a stale version with the typed values kept', async () => {
    const id = await createAs(rep1, await newCustomer('rep1', 'Edit Co'));
    const row = await contract(id);
    const form = await rep1.get(`/contracts/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`name="version" value="${row.version}"`);
    const saved = await postForm(rep1, `/contracts/${id}`, contractFields(row.customer_id, { version: String(row.version), title: 'Edited' }));
    expect(saved.status).toBe(303);
    const stale = await postForm(rep1, `/contracts/${id}`, contractFields(row.customer_id, { version: String(row.version), title: 'Mine is stale' }));
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('data-test="conflict"');
    expect(stale.text).toContain('value="Mine is stale"');
    expect((await contract(id)).title).toBe('Edited');
    const audits = await t.db('audit_log').where({ entity: 'contract', entity_id: id, action: 'update' });
    expect(audits).toHaveLength(1);
    expect(JSON.parse(audits[0].changes).title).toEqual({ before: '年度维保合同', after: 'Edited' });
  });

  it("a manager handing the contract to another rep moves its payment plans' owner too", async () => {
    const id = await createAs(manager1, await newCustomer('rep1', 'Handover Co'), { owner_id: String(ids.rep1) });
    expect((await contract(id)).owner_id).toBe(ids.rep1);
    expect((await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2026-12-01', amount: '50.00' })).status).toBe(303);
    const row = await contract(id);
    const res = await postForm(manager1, `/contracts/${id}`, contractFields(row.customer_id, { version: String(row.version), owner_id: String(ids.rep2) }));
    expect(res.status).toBe(303);
    expect((await contract(id)).owner_id).toBe(ids.rep2);
    expect(await t.db('payment_plans').where({ contract_id: id }).pluck('owner_id')).toEqual([ids.rep2]);
  });

  it('the total cannot drop below what the payment plan already schedules (422)', async () => {
    const id = await createAs(rep1, await newCustomer('rep1', 'Plan Bound Co'));
    expect((await postForm(rep1, `/contracts/${id}/plans`, { due_date: '2026-12-01', amount: '80.00' })).status).toBe(303);
    const row = await contract(id);
    const res = await postForm(rep1, `/contracts/${id}`, contractFields(row.customer_id, { version: String(row.version), 'items[0][quantity]': '1' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-items"');
    expect(toCents((await contract(id)).total)).toBe(8999n);
  });
});

describe('one-step creation', () => {
  async function insertQuote(owner: string, customerId: number, status: string): Promise<number> {
    const [id] = await t.db('quotes').insert({
      number: `QT-TEST-${Math.random().toString(36).slice(2, 10)}`, customer_id: customerId, title: 'Quoted 报价', currency: 'USD',
      subtotal: '199.98', discount_total: '20.00', total: '179.98', status, owner_id: ids[owner], created_by: ids[owner],
      version: 1, created_at: now(), updated_at: now(),
    });
    await t.db('quote_items').insert([
      { quote_id: id, product_name: 'Widget', quantity: '2', unit_price: '99.99', discount_percent: '10', line_total: '179.98', sort: 10 },
    ]);
    return Number(id);
  }

  async function insertOpportunity(owner: string, customerId: number, stageCode: string): Promise<number> {
    const stage = await t.db('pipeline_stages').where({ code: stageCode }).first('id');
    const [id] = await t.db('opportunities').insert({
      customer_id: customerId, title: 'Big deal 大单', amount: '12345.67', currency: 'CNY', stage_id: stage.id, probability: 100,
      stage_entered_at: now(), owner_id: ids[owner], created_by: ids[owner], version: 1, created_at: now(), updated_at: now(),
    });
    return Number(id);
  }

  it('an accepted quote becomes a draft contract with its items, and leads to it the second time', async () => {
    const customerId = await newCustomer('rep1', 'Quote Co');
    const quoteId = await insertQuote('rep1', customerId, 'accepted');
    const res = await postForm(manager1, `/quotes/${quoteId}/contract`);
    expect(res.status).toBe(303);
    const id = Number(/\/contracts\/(\d+)\/edit$/.exec(res.headers.location)![1]);
    const row = await contract(id);
    expect(row).toMatchObject({ customer_id: customerId, quote_id: quoteId, title: 'Quoted 报价', currency: 'USD', status: 'draft', owner_id: ids.rep1, created_by: ids.manager1 });
    expect(toCents(row.total)).toBe(17998n);
    const items = await t.db('contract_items').where({ contract_id: id });
    expect(items.map((i) => [i.product_name, toCents(i.line_total)])).toEqual([['Widget', 17998n]]);
    expect(await t.db('audit_log').where({ entity: 'contract', entity_id: id, action: 'create' }).first()).toBeTruthy();
    expect((await manager1.get(res.headers.location)).status).toBe(200);

    const again = await postForm(rep1, `/quotes/${quoteId}/contract`);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/contracts/${id}`);
  });

  it('two conversions at once (a double click) make one contract, and both requests lead to it', async () => {
    const customerId = await newCustomer('rep1', 'Double Click Co');
    const sources = [
      { url: `/quotes/${await insertQuote('rep1', customerId, 'accepted')}/contract`, column: 'quote_id' },
      { url: `/opportunities/${await insertOpportunity('rep1', customerId, 'won')}/contract`, column: 'opportunity_id' },
    ];
    for (const { url, column } of sources) {
      const sourceId = Number(url.split('/')[2]);
      const answers = await Promise.all([postForm(rep1, url), postForm(rep1, url)]);
      expect(answers.map((r) => r.status)).toEqual([303, 303]);
      const made = await t.db('contracts').where(column, sourceId).pluck('id');
      expect(made).toHaveLength(1);
      // One request made it (to its form), the other was led to it.
      expect(answers.map((r) => r.headers.location).sort()).toEqual([`/contracts/${made[0]}`, `/contracts/${made[0]}/edit`]);
      expect(await t.db('audit_log').where({ entity: 'contract', entity_id: made[0], action: 'create' })).toHaveLength(1);
    }
  });

  it('a won opportunity\'s conversion and its customer\'s delete at once: one wins, the other is refused, never a deadlock', async () => {
    for (let round = 0; round < 4; round++) {
      const customerId = await newCustomer('rep1', `Race Co ${round}`);
      const opportunityId = await insertOpportunity('rep1', customerId, 'won');
      const [converted, deleted] = await Promise.all([
        postForm(rep1, `/opportunities/${opportunityId}/contract`),
        postForm(manager1, `/customers/${customerId}/delete`),
      ]);
      const made = await t.db('contracts').where('opportunity_id', opportunityId).whereNull('deleted_at').pluck('id');
      const customerDeleted = (await t.db('customers').where({ id: customerId }).first()).deleted_at !== null;
      if (made.length === 1) {
        // The contract came first: the customer stays, and the delete says why.
        expect([converted.status, deleted.status]).toEqual([303, 422]);
        expect(customerDeleted).toBe(false);
      } else {
        // The delete came first: its opportunity went with it, and the conversion found it gone.
        expect(made).toHaveLength(0);
        expect(customerDeleted).toBe(true);
        expect(deleted.status).toBe(303);
        expect([404, 422]).toContain(converted.status);
      }
    }
  });

  it('a quote not accepted is refused (422), one out of scope is a 404', async () => {
    const customerId = await newCustomer('rep1', 'Draft Quote Co');
    const draftQuote = await insertQuote('rep1', customerId, 'sent');
    const refused = await postForm(rep1, `/quotes/${draftQuote}/contract`);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('data-test="refused"');
    const accepted = await insertQuote('rep1', customerId, 'accepted');
    expect((await postForm(rep3, `/quotes/${accepted}/contract`)).status).toBe(404);
    expect(await t.db('contracts').where({ quote_id: accepted }).first()).toBeUndefined();
  });

  it('a won opportunity opens a draft contract for its customer with one line of its amount', async () => {
    const customerId = await newCustomer('rep1', 'Won Co');
    const won = await insertOpportunity('rep1', customerId, 'won');
    const res = await postForm(rep1, `/opportunities/${won}/contract`);
    expect(res.status).toBe(303);
    const id = Number(/\/contracts\/(\d+)\/edit$/.exec(res.headers.location)![1]);
    const row = await contract(id);
    expect(row).toMatchObject({ customer_id: customerId, opportunity_id: won, title: 'Big deal 大单', status: 'draft' });
    expect(toCents(row.total)).toBe(1234567n);
    const open = await insertOpportunity('rep1', customerId, 'proposal');
    expect((await postForm(rep1, `/opportunities/${open}/contract`)).status).toBe(422);
    expect((await postForm(manager2, `/opportunities/${won}/contract`)).status).toBe(404);
  });
});

describe('customers with contracts', () => {
  it('deleting a customer that has contracts is refused with the reason; without contracts it is deleted', async () => {
    const withContract = await newCustomer('rep1', 'Has Contract Co');
    await createAs(rep1, withContract);
    // The confirm page says so before asking, and offers no delete button.
    const confirm = await manager1.get(`/customers/${withContract}/delete`);
    expect(confirm.text).toContain('data-test="refused"');
    expect(confirm.text).not.toContain(`action="/customers/${withContract}/delete"`);
    const refused = await postForm(manager1, `/customers/${withContract}/delete`);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Has Contract Co');
    expect(refused.text).toContain('data-test="refused"');
    expect((await t.db('customers').where({ id: withContract }).first()).deleted_at).toBeNull();

    const without = await newCustomer('rep1', 'No Contract Co');
    expect((await postForm(manager1, `/customers/${without}/delete`)).status).toBe(303);
    expect((await t.db('customers').where({ id: without }).first()).deleted_at).not.toBeNull();
    // Out of scope stays a 404, contracts or not.
    expect((await postForm(manager2, `/customers/${withContract}/delete`)).status).toBe(404);
  });
});
