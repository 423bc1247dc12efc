import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDbTime } from '../src/db/time.js';
import { refreshPipelineTotals } from '../src/features/opportunities/pipeline-totals.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let rep1: Agent;
let rep2: Agent;
let rep3: Agent;
let manager1: Agent;
let customer1: number; // rep1's
let customer3: number; // rep3's
let productA: number;
let productB: number;
let productOld: number;

const stageId = async (code: string): Promise<number> => (await t.db('pipeline_stages').where({ code }).first('id')).id;
const customerOf = async (username: string): Promise<number> =>
  (await t.db('customers').where('owner_id', await t.userId(username)).whereNull('deleted_at').orderBy('id').first('id')).id;
const idFrom = (location: string) => Number(/\/opportunities\/(\d+)$/.exec(location)![1]);

async function insertOpportunity(owner: string, fields: Record<string, unknown> = {}): Promise<number> {
  const ownerId = await t.userId(owner);
  const now = toDbTime();
  const [id] = await t.db('opportunities').insert({
    customer_id: await customerOf(owner), title: `Deal of ${owner}`, amount: '1000.00', currency: 'CNY',
    stage_id: await stageId('initial_contact'), probability: 10, stage_entered_at: now, owner_id: ownerId, created_by: ownerId,
    version: 1, created_at: now, updated_at: now, ...fields,
  });
  // Written past the app, so the totals' summary is brought up to date as a save would.
  await refreshPipelineTotals(t.db, [ownerId]);
  return Number(id);
}

beforeAll(async () => {
  t = await createTestApp();
  [rep1, rep2, rep3, manager1] = await Promise.all(['rep1', 'rep2', 'rep3', 'manager1'].map((u) => loginAs(t.app, u)));
  customer1 = await customerOf('rep1');
  customer3 = await customerOf('rep3');
  const now = toDbTime();
  const product = async (code: string, active: boolean) =>
    Number((await t.db('products').insert({ name: `Product ${code}`, code, list_price: '10.00', is_active: active, version: 1, created_at: now, updated_at: now }))[0]);
  productA = await product('OPP-A', true);
  productB = await product('OPP-B', true);
  productOld = await product('OPP-OLD', false);
});
afterAll(() => t.close());

const valid = () => ({ customer_id: String(customer1), title: '华东 ERP 升级', amount: '12345.67', currency: 'CNY', stage_id: '' });

describe('create', () => {
  it('offers a customer search box when no customer is given, limited to the actor\'s scope', async () => {
    const rep1Customer = await t.db('customers').where({ id: customer1 }).first();
    const page = await rep1.get('/opportunities/new');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-test="customer-search"');
    const found = await rep1.get(`/opportunities/new?customer_q=${encodeURIComponent(rep1Customer.name.slice(0, 3))}`);
    expect(found.text).toContain(`/opportunities/new?customer_id=${customer1}`);
    const rep3Customer = await t.db('customers').where({ id: customer3 }).first();
    const other = await rep1.get(`/opportunities/new?customer_q=${encodeURIComponent(rep3Customer.name)}`);
    expect(other.text).not.toContain(`customer_id=${customer3}"`);
  });

  it('answers 404 for a customer out of scope, 200 with the form for one in scope', async () => {
    expect((await rep1.get(`/opportunities/new?customer_id=${customer3}`)).status).toBe(404);
    const res = await rep1.get(`/opportunities/new?customer_id=${customer1}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-test="opportunity-form"');
  });

  it('saves with the stage\'s default probability, products, history and audit (303 + flash)', async () => {
    const res = await postForm(rep1, '/opportunities', { ...valid(), stage_id: String(await stageId('needs_analysis')), product_ids: String(productA) });
    expect(res.status).toBe(303);
    const id = idFrom(res.headers.location);
    const page = await rep1.get(res.headers.location);
    expect(page.text).toContain('data-test="flash"');
    const row = await t.db('opportunities').where({ id }).first();
    expect(row).toMatchObject({ title: '华东 ERP 升级', probability: 30, owner_id: await t.userId('rep1'), version: 1 });
    expect(String(row.amount)).toMatch(/^12345\.67/);
    expect((await t.db('opportunity_products').where({ opportunity_id: id })).map((r) => r.product_id)).toEqual([productA]);
    const history = await t.db('opportunity_stage_history').where({ opportunity_id: id });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ from_stage_id: null, to_stage_id: await stageId('needs_analysis'), customer_id: customer1, changed_by: await t.userId('rep1') });
    expect(history[0].changed_at).toBe(row.stage_entered_at);
    const audit = await t.db('audit_log').where({ entity: 'opportunity', entity_id: id });
    expect(audit.map((a) => a.action)).toEqual(['create']);
    expect(JSON.parse(audit[0].changes).amount.after).toBe('12345.67');
  });

  it('keeps a typed probability', async () => {
    const res = await postForm(rep1, '/opportunities', { ...valid(), title: 'Typed probability', stage_id: String(await stageId('proposal')), probability: '65' });
    expect(res.status).toBe(303);
    expect((await t.db('opportunities').where({ id: idFrom(res.headers.location) }).first()).probability).toBe(65);
  });

  it('422: a message by each bad field and every typed value kept', async () => {
    const res = await postForm(rep1, '/opportunities', {
      customer_id: String(customer1), title: ' ', amount: '12,5', currency: 'XYZ', stage_id: String(await stageId('initial_contact')),
      probability: '120', expected_close_date: '2026-02-30', remark: 'Keep me 🙂',
    });
    expect(res.status).toBe(422);
    for (const field of ['title', 'amount', 'currency', 'probability', 'expected_close_date']) expect(res.text).toContain(`data-test="error-${field}"`);
    expect(res.text).toContain('value="12,5"');
    expect(res.text).toContain('value="120"');
    expect(res.text).toContain('Keep me 🙂');
  });

  it('422 for a customer out of scope, an inactive product, or an owner the rep may not choose', async () => {
    const stage = String(await stageId('initial_contact'));
    const outOfScope = await postForm(rep1, '/opportunities', { ...valid(), stage_id: stage, customer_id: String(customer3) });
    expect(outOfScope.status).toBe(422);
    expect(outOfScope.text).toContain('data-test="error-customer_id"');
    const inactive = await postForm(rep1, '/opportunities', { ...valid(), stage_id: stage, product_ids: String(productOld) });
    expect(inactive.status).toBe(422);
    expect(inactive.text).toContain('data-test="error-product_ids"');
    // A rep has no customers.assign: the owner field is ignored, the rep owns it.
    const owned = await postForm(rep1, '/opportunities', { ...valid(), title: 'Owner ignored', stage_id: stage, owner_id: String(await t.userId('rep3')) });
    expect(owned.status).toBe(303);
    expect((await t.db('opportunities').where({ id: idFrom(owned.headers.location) }).first()).owner_id).toBe(await t.userId('rep1'));
  });

  it('lets a manager assign to a rep of the team but not to another team', async () => {
    const stage = String(await stageId('initial_contact'));
    const ok = await postForm(manager1, '/opportunities', { ...valid(), title: 'For rep2', stage_id: stage, owner_id: String(await t.userId('rep2')) });
    expect(ok.status).toBe(303);
    expect((await t.db('opportunities').where({ id: idFrom(ok.headers.location) }).first()).owner_id).toBe(await t.userId('rep2'));
    const refused = await postForm(manager1, '/opportunities', { ...valid(), title: 'For rep3', stage_id: stage, owner_id: String(await t.userId('rep3')) });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('data-test="error-owner_id"');
  });

  it('requires a lost reason when created in a lost stage', async () => {
    const lost = String(await stageId('lost'));
    const res = await postForm(rep1, '/opportunities', { ...valid(), title: 'Lost at once', stage_id: lost });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-lost_reason"');
    const ok = await postForm(rep1, '/opportunities', { ...valid(), title: 'Lost at once', stage_id: lost, lost_reason: 'price' });
    expect(ok.status).toBe(303);
    expect((await t.db('opportunities').where({ id: idFrom(ok.headers.location) }).first()).lost_reason).toBe('price');
  });
});

describe('scope of every route', () => {
  it('404 for an opportunity out of scope; managers see their team\'s', async () => {
    const rep3Deal = await insertOpportunity('rep3');
    const rep2Deal = await insertOpportunity('rep2');
    for (const url of [`/opportunities/${rep3Deal}`, `/opportunities/${rep3Deal}/edit`, `/opportunities/${rep3Deal}/delete`]) {
      expect((await rep1.get(url)).status).toBe(404);
      expect((await manager1.get(url)).status).toBe(404);
    }
    expect((await postForm(rep1, `/opportunities/${rep3Deal}`, { ...valid(), version: 1 })).status).toBe(404);
    expect((await postForm(rep1, `/opportunities/${rep3Deal}/delete`)).status).toBe(404);
    expect((await postForm(rep1, `/opportunities/${rep3Deal}/stage`, { stage_id: String(await stageId('needs_analysis')), version: 1 })).status).toBe(404);
    expect((await rep3.get(`/opportunities/${rep3Deal}`)).status).toBe(200);
    expect((await manager1.get(`/opportunities/${rep2Deal}`)).status).toBe(200);
    expect((await rep1.get(`/opportunities/${rep2Deal}`)).status).toBe(404);
    const list = await rep1.get('/opportunities');
    expect(list.text).not.toContain(`data-test="opportunity-${rep3Deal}"`);
    expect(list.text).not.toContain(`data-test="opportunity-${rep2Deal}"`);
    expect((await manager1.get('/opportunities')).text).toContain(`data-test="opportunity-${rep2Deal}"`);
    expect((await rep1.get('/opportunities/abc')).status).toBe(404);
  });

  it('sends an anonymous visitor to the login page and refuses a POST without CSRF (403)', async () => {
    const { default: request } = await import('supertest');
    const res = await request(t.app).get('/opportunities');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/login');
    expect((await rep1.post('/opportunities').type('form').send(valid())).status).toBe(403);
  });
});

describe('edit', () => {
  it('saves (303), audits only changed fields, and answers 409 on a stale version', async () => {
    const id = await insertOpportunity('rep1', { title: 'Editable' });
    const form = await rep1.get(`/opportunities/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="version" value="1"');
    const fields = { title: 'Editable 2', amount: '2000.5', currency: 'USD', stage_id: String(await stageId('initial_contact')), probability: '10', product_ids: [String(productA), String(productB)] };
    const res = await rep1.post(`/opportunities/${id}`).type('form').send({ _csrf: rep1.csrf, version: '1', ...fields });
    expect(res.status).toBe(303);
    const row = await t.db('opportunities').where({ id }).first();
    expect(row).toMatchObject({ title: 'Editable 2', currency: 'USD', version: 2 });
    expect((await t.db('opportunity_products').where({ opportunity_id: id }).orderBy('product_id')).map((r) => r.product_id)).toEqual([productA, productB]);
    const audit = await t.db('audit_log').where({ entity: 'opportunity', entity_id: id, action: 'update' }).first();
    expect(Object.keys(JSON.parse(audit.changes)).sort()).toEqual(['amount', 'currency', 'product_ids', 'title']);
    // No stage change: no history row.
    expect(await t.db('opportunity_stage_history').where({ opportunity_id: id })).toHaveLength(0);

    const stale = await rep1.post(`/opportunities/${id}`).type('form').send({ _csrf: rep1.csrf, version: '1', ...fields, title: 'Mine' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('data-test="conflict"');
    expect(stale.text).toContain('value="Mine"');
    expect(stale.text).toContain('name="version" value="2"');
    expect((await t.db('opportunities').where({ id }).first()).title).toBe('Editable 2');
  });

  it('a stage change resets the probability to the new stage\'s default unless another was typed', async () => {
    const id = await insertOpportunity('rep1', { title: 'Backward', stage_id: await stageId('proposal'), probability: 50 });
    const res = await postForm(rep1, `/opportunities/${id}`, { version: 1, title: 'Backward', amount: '1000.00', currency: 'CNY', stage_id: String(await stageId('needs_analysis')), probability: '50' });
    expect(res.status).toBe(303);
    expect((await t.db('opportunities').where({ id }).first()).probability).toBe(30);
    const typed = await postForm(rep1, `/opportunities/${id}`, { version: 2, title: 'Backward', amount: '1000.00', currency: 'CNY', stage_id: String(await stageId('initial_contact')), probability: '25' });
    expect(typed.status).toBe(303);
    expect((await t.db('opportunities').where({ id }).first()).probability).toBe(25);
  });

  it('requires the lost reason when the stage is lost (422), and saves with one', async () => {
    const id = await insertOpportunity('rep1', { title: 'To lose' });
    const fields = { version: 1, title: 'To lose', amount: '1000.00', currency: 'CNY', stage_id: String(await stageId('lost')) };
    const res = await postForm(rep1, `/opportunities/${id}`, fields).set('Accept-Language', 'en');
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-lost_reason"');
    const bad = await postForm(rep1, `/opportunities/${id}`, { ...fields, lost_reason: 'nonsense' });
    expect(bad.status).toBe(422);
    const ok = await postForm(rep1, `/opportunities/${id}`, { ...fields, lost_reason: 'competitor' });
    expect(ok.status).toBe(303);
    expect(await t.db('opportunities').where({ id }).first()).toMatchObject({ lost_reason: 'competitor', probability: 0 });
  });
});

describe('delete', () => {
  it('confirms, soft-deletes (303) with an audit row, then answers 404', async () => {
    const id = await insertOpportunity('rep1', { title: 'Short-lived' });
    const confirm = await rep1.get(`/opportunities/${id}/delete`);
    expect(confirm.text).toContain('data-test="delete-question"');
    const res = await postForm(rep1, `/opportunities/${id}/delete`);
    expect(res.status).toBe(303);
    expect((await t.db('opportunities').where({ id }).first()).deleted_at).not.toBeNull();
    expect((await t.db('audit_log').where({ entity: 'opportunity', entity_id: id, action: 'delete' })).length).toBe(1);
    expect((await rep1.get(`/opportunities/${id}`)).status).toBe(404);
  });

  it('lets a manager see a deleted opportunity of the team and restore it (303, audited, counted again); a rep may not', async () => {
    const id = await insertOpportunity('rep1', { title: 'Back from the bin', amount: '250.00' });
    expect((await postForm(rep1, `/opportunities/${id}/delete`)).status).toBe(303);
    const page = await manager1.get(`/opportunities/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-test="deleted-banner"');
    expect(page.text).toContain(`action="/opportunities/${id}/restore"`);
    expect(page.text).not.toContain(`/opportunities/${id}/edit`);
    expect((await postForm(rep1, `/opportunities/${id}/restore`)).status).toBe(403);
    // Out of scope: rep3's manager is manager2.
    const others = await insertOpportunity('rep3', { title: 'Not manager1\'s' });
    await t.db('opportunities').where({ id: others }).update({ deleted_at: toDbTime() });
    expect((await manager1.get(`/opportunities/${others}`)).status).toBe(404);
    expect((await postForm(manager1, `/opportunities/${others}/restore`)).status).toBe(404);

    const restored = await postForm(manager1, `/opportunities/${id}/restore`);
    expect(restored.status).toBe(303);
    expect(restored.headers.location).toBe(`/opportunities/${id}`);
    expect((await t.db('opportunities').where({ id }).first()).deleted_at).toBeNull();
    expect((await t.db('audit_log').where({ entity: 'opportunity', entity_id: id, action: 'restore' })).length).toBe(1);
    const totals = await t.db('pipeline_totals').where({ owner_id: await t.userId('rep1'), stage_id: await stageId('initial_contact'), currency: 'CNY' }).first();
    const direct = await t.db('opportunities').where({ owner_id: await t.userId('rep1'), stage_id: await stageId('initial_contact'), currency: 'CNY' }).whereNull('deleted_at').count({ n: '*' }).first();
    expect(Number(totals.opportunities)).toBe(Number(direct?.n));
    expect((await rep1.get(`/opportunities/${id}`)).status).toBe(200);
    // A live one has nothing to restore: a second click leads back to it, changing nothing.
    const again = await postForm(manager1, `/opportunities/${id}/restore`);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/opportunities/${id}`);
    expect((await t.db('audit_log').where({ entity: 'opportunity', entity_id: id, action: 'restore' })).length).toBe(1);
  });

  it('refuses to restore an opportunity whose customer is deleted (422, saying so), until the customer comes back', async () => {
    const customer = await t.db('customers').where('owner_id', await t.userId('rep1')).whereNull('deleted_at')
      .whereNotExists(t.db('contracts').whereRaw('contracts.customer_id = customers.id')).orderBy('id', 'desc').first('id', 'name');
    const res = await postForm(rep1, '/opportunities', { ...valid(), customer_id: String(customer.id), title: 'Goes with its customer', stage_id: String(await stageId('initial_contact')) });
    expect(res.status).toBe(303);
    const id = idFrom(res.headers.location);
    expect((await postForm(manager1, `/customers/${customer.id}/delete`)).status).toBe(303);
    const refused = await postForm(manager1, `/opportunities/${id}/restore`);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('data-test="refused"');
    expect(refused.text).toContain(customer.name);
    expect((await t.db('opportunities').where({ id }).first()).deleted_at).not.toBeNull();
    expect((await postForm(manager1, `/customers/${customer.id}/restore`)).status).toBe(303);
    expect((await t.db('opportunities').where({ id }).first()).deleted_at).toBeNull();
  });
});

describe('list', () => {
  it('filters by stage, owner and close month, searches titles, and totals the filtered set exactly', async () => {
    const proposal = await stageId('proposal');
    await insertOpportunity('rep2', { title: 'Totals A', amount: '100.10', probability: 10, stage_id: proposal, expected_close_date: '2031-05-03' });
    await insertOpportunity('rep2', { title: 'Totals B', amount: '33.33', probability: 30, stage_id: proposal, expected_close_date: '2031-05-31' });
    await insertOpportunity('rep2', { title: 'Totals C', amount: '0.10', probability: 50, stage_id: proposal, currency: 'USD', expected_close_date: '2031-05-15' });
    await insertOpportunity('rep2', { title: 'Totals D next month', amount: '999.99', probability: 50, stage_id: proposal, expected_close_date: '2031-06-01' });
    const res = await manager1.get(`/opportunities?close_month=2031-05&owner_id=${await t.userId('rep2')}&stage_id=${proposal}`).set('Accept-Language', 'en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Totals A');
    expect(res.text).not.toContain('Totals D next month');
    expect(res.text).toContain('Count: 2 · Total: CNY 133.43 · Weighted: CNY 20.01');
    expect(res.text).toContain('Count: 1 · Total: USD 0.10 · Weighted: USD 0.05');
    const search = await manager1.get('/opportunities?q=Totals%20B').set('Accept-Language', 'en');
    expect(search.text).toContain('Totals B');
    expect(search.text).not.toContain('Totals A');
    // rep2 sees the same; rep1 sees none of them even when asking for rep2.
    expect((await rep2.get('/opportunities?close_month=2031-05').set('Accept-Language', 'en')).text).toContain('Weighted: CNY 20.01');
    const rep1View = await rep1.get(`/opportunities?owner_id=${await t.userId('rep2')}&q=Totals`);
    expect(rep1View.text).not.toContain('Totals A');
  });

  it('sorts by amount and by stage', async () => {
    const asc = await manager1.get('/opportunities?q=Totals&sort=amount&dir=asc');
    expect(asc.text.indexOf('Totals C')).toBeLessThan(asc.text.indexOf('Totals B'));
    expect(asc.text.indexOf('Totals B')).toBeLessThan(asc.text.indexOf('Totals A'));
    expect((await manager1.get('/opportunities?sort=stage&dir=desc')).status).toBe(200);
  });
});

describe('show', () => {
  it('shows the stage history and offers a draft contract only once won', async () => {
    const open = await insertOpportunity('rep1', { title: 'Not won yet' });
    expect((await rep1.get(`/opportunities/${open}`)).text).not.toContain('data-test="create-contract"');
    const won = await insertOpportunity('rep1', { title: 'Won deal', stage_id: await stageId('won'), probability: 100 });
    const page = await rep1.get(`/opportunities/${won}`);
    expect(page.text).toContain('data-test="create-contract"');
    expect(page.text).toContain(`action="/opportunities/${won}/contract"`);
  });
});
