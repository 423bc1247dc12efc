import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let admin: Agent;
let rep1: Agent;

beforeAll(async () => {
  t = await createTestApp({ customers: 2 });
  admin = await loginAs(t.app, 'admin');
  rep1 = await loginAs(t.app, 'rep1');
});
afterAll(() => t.close());

const valid = { name: '工业路由器 R1', code: 'R-100', spec: '8 口', unit: '台', list_price: '1999.50', cost: '1200', is_active: '1' };

/** The list's table only (the flash of the last save names products too). */
const tableOf = (html: string) => html.slice(html.indexOf('data-test="product-table"'), html.indexOf('</table>'));

async function createProduct(fields: Record<string, string> = {}): Promise<number> {
  const res = await postForm(admin, '/products', { ...valid, ...fields });
  expect(res.status).toBe(303);
  return Number(/\/products\/(\d+)$/.exec(res.headers.location)![1]);
}

/** The hidden version an edit form carries. */
function versionIn(html: string): string {
  const match = /name="version" value="(\d+)"/.exec(html);
  if (!match) throw new Error('No version field on the page');
  return match[1];
}

async function createCategory(fields: Record<string, string>): Promise<number> {
  const res = await postForm(admin, '/products/categories', { name_zh: '类', name_en: 'Cat', parent_id: '', ...fields });
  expect(res.status).toBe(303);
  const row = await t.db('product_categories').where({ name_en: fields.name_en }).first('id');
  return row.id;
}

describe('products', () => {
  it('admin creates a product (303, flash, exact money, audit row)', async () => {
    const res = await postForm(admin, '/products', { ...valid, code: 'P-1' });
    expect(res.status).toBe(303);
    const page = await admin.get(res.headers.location);
    expect(page.text).toContain('data-test="flash"');
    const row = await t.db('products').where({ code: 'P-1' }).first();
    expect(String(row.list_price)).toMatch(/^1999\.5/);
    expect(Boolean(row.is_active)).toBe(true);
    const audit = await t.db('audit_log').where({ entity: 'product', entity_id: row.id, action: 'create' }).first();
    expect(audit).toBeDefined();
  });

  it('refuses a code already taken, whatever its case (422, values kept)', async () => {
    await createProduct({ code: 'DUP-1' });
    const res = await postForm(admin, '/products', { ...valid, name: 'Second 🙂', code: 'dup-1' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-code"');
    expect(res.text).toContain('value="Second 🙂"');
    expect(res.text).toContain('value="dup-1"');
  });

  it('422 on bad money, with a message by the field', async () => {
    const res = await postForm(admin, '/products', { ...valid, code: 'M-1', list_price: '12.345', cost: 'abc' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-list_price"');
    expect(res.text).toContain('data-test="error-cost"');
    expect(res.text).toContain('value="12.345"');
  });

  it('409 on a stale version, nothing overwritten', async () => {
    const id = await createProduct({ code: 'V-1' });
    expect((await postForm(admin, `/products/${id}`, { ...valid, code: 'V-1', name: 'First', version: '1' })).status).toBe(303);
    const stale = await postForm(admin, `/products/${id}`, { ...valid, code: 'V-1', name: 'Second', version: '1' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('data-test="conflict"');
    expect(stale.text).toContain('value="Second"');
    expect((await t.db('products').where({ id }).first()).name).toBe('First');
    const audit = await t.db('audit_log').where({ entity: 'product', entity_id: id, action: 'update' });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].changes).name).toEqual({ before: valid.name, after: 'First' });
  });

  it('reps may list and view products but not manage them (403)', async () => {
    const id = await createProduct({ code: 'VIEW-1', name: 'Visible widget' });
    const list = await rep1.get('/products?q=Visible');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Visible widget');
    expect(list.text).not.toContain('/products/new');
    expect((await rep1.get(`/products/${id}`)).status).toBe(200);
    expect((await rep1.get('/products/new')).status).toBe(403);
    expect((await postForm(rep1, '/products', { ...valid, code: 'NOPE' })).status).toBe(403);
    expect((await postForm(rep1, `/products/${id}`, { ...valid, version: '1' })).status).toBe(403);
    expect((await rep1.get('/products/categories')).status).toBe(403);
    expect((await postForm(rep1, `/products/${id}/delete`)).status).toBe(403);
    expect((await rep1.get('/products/999999')).status).toBe(404);
  });

  it('searches by code, filters by active and sorts', async () => {
    await createProduct({ code: 'SRCH-A', name: 'Alpha search', list_price: '5' });
    await createProduct({ code: 'SRCH-B', name: 'Beta search', list_price: '50', is_active: '' });
    const byCode = await admin.get('/products?q=srch-a');
    expect(tableOf(byCode.text)).toContain('Alpha search');
    expect(tableOf(byCode.text)).not.toContain('Beta search');
    const inactive = await admin.get('/products?q=search&active=no');
    expect(tableOf(inactive.text)).toContain('Beta search');
    expect(tableOf(inactive.text)).not.toContain('Alpha search');
    const sorted = await admin.get('/products?q=search&sort=list_price&dir=desc');
    expect(tableOf(sorted.text).indexOf('Beta search')).toBeLessThan(tableOf(sorted.text).indexOf('Alpha search'));
  });

  it('deletes an unused product, and offers deactivation for one in use (409)', async () => {
    const unused = await createProduct({ code: 'DEL-1' });
    expect((await admin.get(`/products/${unused}/delete`)).text).toContain('data-test="delete-question"');
    expect((await postForm(admin, `/products/${unused}/delete`)).status).toBe(303);
    expect(await t.db('products').where({ id: unused }).first()).toBeUndefined();
    expect(await t.db('audit_log').where({ entity: 'product', entity_id: unused, action: 'delete' }).first()).toBeDefined();

    const used = await createProduct({ code: 'DEL-2' });
    const owner = await t.userId('rep1');
    const customer = await t.db('customers').where('owner_id', owner).first('id');
    const now = '2026-11-22 00:00:00';
    const [quoteId] = await t.db('quotes').insert({ number: 'QT-X-1', customer_id: customer.id, title: 'x', owner_id: owner, created_by: owner, created_at: now, updated_at: now });
    await t.db('quote_items').insert({ quote_id: quoteId, product_id: used, product_name: 'x', quantity: 1, unit_price: 1, line_total: 1 });
    const refused = await postForm(admin, `/products/${used}/delete`);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('data-test="in-use"');
    expect(refused.text).toContain('data-test="deactivate"');
    expect(await t.db('products').where({ id: used }).first()).toBeDefined();
    expect((await postForm(admin, `/products/${used}/deactivate`)).status).toBe(303);
    expect(Boolean((await t.db('products').where({ id: used }).first()).is_active)).toBe(false);
  });
});

describe('categories', () => {
  it('builds a tree, filters products by a category and its sub-categories', async () => {
    const hardware = await createCategory({ name_zh: '硬件', name_en: 'Hardware' });
    const routers = await createCategory({ name_zh: '路由器', name_en: 'Routers', parent_id: String(hardware) });
    const software = await createCategory({ name_zh: '软件', name_en: 'Software' });
    await createProduct({ code: 'TREE-1', name: 'Tree router', category_id: String(routers) });
    await createProduct({ code: 'TREE-2', name: 'Tree licence', category_id: String(software) });
    const filtered = await admin.get(`/products?category_id=${hardware}`);
    expect(tableOf(filtered.text)).toContain('Tree router');
    expect(tableOf(filtered.text)).not.toContain('Tree licence');
    const tree = await admin.get('/products/categories');
    expect(tree.text).toContain(`data-test="category-${routers}"`);
    expect(tree.text).toMatch(new RegExp(`category-depth-1" data-test="category-${routers}"`));
    // The product form offers the tree, indented.
    expect((await admin.get('/products/new')).text).toContain('\u00a0\u00a0\u00a0路由器');
  });

  it('renames, reorders, and refuses a parent below itself', async () => {
    const a = await createCategory({ name_zh: '甲', name_en: 'Order A' });
    const b = await createCategory({ name_zh: '乙', name_en: 'Order B' });
    const child = await createCategory({ name_zh: '丙', name_en: 'Order A child', parent_id: String(a) });
    expect((await postForm(admin, `/products/categories/${a}`, { name_zh: '甲二', name_en: 'Order A2', parent_id: '', version: '1' })).status).toBe(303);
    expect((await t.db('product_categories').where({ id: a }).first()).name_en).toBe('Order A2');
    const cycle = await postForm(admin, `/products/categories/${a}`, { name_zh: '甲二', name_en: 'Order A2', parent_id: String(child), version: '2' });
    expect(cycle.status).toBe(422);
    expect(cycle.text).toContain('data-test="error-parent_id"');
    expect((await postForm(admin, `/products/categories/${b}/move`, { direction: 'up' })).status).toBe(303);
    const [sa, sb] = await Promise.all([a, b].map(async (id) => (await t.db('product_categories').where({ id }).first()).sort));
    expect(sb).toBeLessThan(sa);
    expect(await t.db('audit_log').where({ entity: 'product_category', entity_id: b }).first()).toBeDefined();
    const empty = await postForm(admin, '/products/categories', { name_zh: '', name_en: 'Kept', parent_id: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('data-test="error-name_zh"');
    expect(empty.text).toContain('value="Kept"');
  });

  it('409 on a stale category edit: the typed values kept, nothing overwritten, saving again overwrites', async () => {
    const id = await createCategory({ name_zh: '旧名', name_en: 'Stale cat' });
    const form = await admin.get(`/products/categories/${id}/edit`);
    const version = versionIn(form.text);
    expect(version).toBe('1');
    // A second tab saves first, on the same version.
    const other = { name_zh: '旧名', name_en: 'Other tab', parent_id: '', version };
    expect((await postForm(admin, `/products/categories/${id}`, other)).status).toBe(303);
    const mine = { name_zh: '我的名字', name_en: 'Mine', parent_id: '' };
    const stale = await postForm(admin, `/products/categories/${id}`, { ...mine, version });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('data-test="conflict"');
    expect(stale.text).toContain('value="Mine"');
    expect(stale.text).toContain('value="我的名字"');
    expect(stale.text).toContain('Other tab');
    expect(await t.db('product_categories').where({ id }).first()).toMatchObject({ name_zh: '旧名', name_en: 'Other tab', version: 2 });
    expect(await t.db('audit_log').where({ entity: 'product_category', entity_id: id, action: 'update' })).toHaveLength(1);
    // The form now carries the current version: saving it again is a deliberate overwrite.
    expect(versionIn(stale.text)).toBe('2');
    expect((await postForm(admin, `/products/categories/${id}`, { ...mine, version: versionIn(stale.text) })).status).toBe(303);
    expect(await t.db('product_categories').where({ id }).first()).toMatchObject({ name_zh: '我的名字', name_en: 'Mine', version: 3 });
  });

  it('a move counts up the versions of the categories it renumbers: a form opened before it is a 409', async () => {
    const first = await createCategory({ name_zh: '先', name_en: 'Move first' });
    const second = await createCategory({ name_zh: '后', name_en: 'Move second' });
    const version = versionIn((await admin.get(`/products/categories/${first}/edit`)).text);
    expect((await postForm(admin, `/products/categories/${second}/move`, { direction: 'up' })).status).toBe(303);
    const moved = await t.db('product_categories').where({ id: first }).first();
    expect(moved.version).toBe(Number(version) + 1);
    const stale = await postForm(admin, `/products/categories/${first}`, { name_zh: '先', name_en: 'Move first 2', parent_id: '', version });
    expect(stale.status).toBe(409);
    expect((await t.db('product_categories').where({ id: first }).first()).name_en).toBe('Move first');
  });

  it('deletes a category only when it has no products and no children', async () => {
    const parent = await createCategory({ name_zh: '父', name_en: 'Del parent' });
    const child = await createCategory({ name_zh: '子', name_en: 'Del child', parent_id: String(parent) });
    const withChild = await postForm(admin, `/products/categories/${parent}/delete`);
    expect(withChild.status).toBe(409);
    expect(withChild.text).toContain('data-test="in-use"');
    const productId = await createProduct({ code: 'CAT-DEL', category_id: String(child) });
    expect((await postForm(admin, `/products/categories/${child}/delete`)).status).toBe(409);
    await postForm(admin, `/products/${productId}/delete`);
    expect((await postForm(admin, `/products/categories/${child}/delete`)).status).toBe(303);
    expect((await postForm(admin, `/products/categories/${parent}/delete`)).status).toBe(303);
    expect(await t.db('product_categories').whereIn('id', [parent, child]).first()).toBeUndefined();
  });
});
