import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let admin: Agent;
let rep1: Agent;
let customerId: number;

beforeAll(async () => {
  t = await createTestApp({ customers: 8 });
  admin = await loginAs(t.app, 'admin');
  rep1 = await loginAs(t.app, 'rep1');
  // One of rep1's customers with known dictionary codes, so "in use" does not depend on the generator.
  const customer = await t.db('customers').where('owner_id', await t.userId('rep1')).orderBy('id').first('id');
  customerId = customer.id;
  await t.db('customers').where({ id: customerId }).update({ industry: 'finance', source: 'website', level: 'B', status: 'new' });
});
afterAll(() => t.close());

async function valueOf(type: string, code: string) {
  return t.db('dictionaries').where({ type, code }).first();
}

async function auditOf(id: number) {
  const rows = await t.db('audit_log').where({ entity: 'dictionary', entity_id: id }).orderBy('id');
  return rows.map((r) => ({ ...r, changes: r.changes ? JSON.parse(r.changes) : null }));
}

/** The option values of one <select> on a page, in order. */
function pickerCodes(html: string, name: string): string[] {
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (!select) throw new Error(`No picker ${name} on the page`);
  return [...select[1].matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]).filter((v) => v !== '');
}

/** The hidden version an edit form carries. */
function versionIn(html: string): string {
  const match = /name="version" value="(\d+)"/.exec(html);
  if (!match) throw new Error('No version field on the page');
  return match[1];
}

/** The codes in the admin list's rows, in order. */
function listedCodes(html: string): string[] {
  return [...html.matchAll(/data-test="value-([^"]+)"/g)].map((m) => m[1]);
}

describe('only the admin reaches /admin/dictionaries', () => {
  it.each(['manager1', 'rep1'])('%s gets 403 on every route, GET and POST, and changes nothing', async (username) => {
    const agent = username === 'rep1' ? rep1 : await loginAs(t.app, username);
    const value = await valueOf('industry', 'retail');
    const before = await t.db('dictionaries').orderBy('id');
    for (const url of ['/admin/dictionaries', '/admin/dictionaries?type=industry', '/admin/dictionaries/new', `/admin/dictionaries/${value.id}/edit`, `/admin/dictionaries/${value.id}/delete`]) {
      expect((await agent.get(url)).status, url).toBe(403);
    }
    const posts: Array<[string, Record<string, string>]> = [
      ['/admin/dictionaries', { type: 'industry', code: 'sneaky', label_zh: '偷偷', label_en: 'Sneaky', is_active: '1' }],
      [`/admin/dictionaries/${value.id}`, { label_zh: '改了', label_en: 'Changed', sort: '1', is_active: '1' }],
      [`/admin/dictionaries/${value.id}/move`, { direction: 'up' }],
      [`/admin/dictionaries/${value.id}/deactivate`, {}],
      [`/admin/dictionaries/${value.id}/activate`, {}],
      [`/admin/dictionaries/${value.id}/delete`, {}],
    ];
    for (const [url, fields] of posts) expect((await postForm(agent, url, fields)).status, url).toBe(403);
    expect(await t.db('dictionaries').orderBy('id')).toEqual(before);
    expect((await agent.get('/')).text).not.toContain('href="/admin/dictionaries"');
  });
});

describe('the dictionary list', () => {
  it('shows one type at a time, in picker order, with a tab per type', async () => {
    const res = await admin.get('/admin/dictionaries?type=customer_level').set('Accept-Language', 'en');
    expect(res.status).toBe(200);
    expect(listedCodes(res.text)).toEqual(['A', 'B', 'C']);
    expect(res.text).toContain('Follow-up type');
    expect(res.text).toContain('3 in all');
  });

  it('searches codes and labels in both languages', async () => {
    expect(listedCodes((await admin.get('/admin/dictionaries?type=industry&q=finance')).text)).toEqual(['finance']);
    expect(listedCodes((await admin.get(`/admin/dictionaries?type=industry&q=${encodeURIComponent('零售')}`)).text)).toEqual(['retail']);
    expect(listedCodes((await admin.get('/admin/dictionaries?type=industry&q=Health')).text)).toEqual(['healthcare']);
  });

  it('sorts by code', async () => {
    const codes = listedCodes((await admin.get('/admin/dictionaries?type=customer_status&sort=code&dir=desc')).text);
    expect(codes).toEqual(['qualified', 'new', 'lost', 'converted', 'contacted']);
  });

  it('pages', async () => {
    const res = await admin.get('/admin/dictionaries?type=industry&per_page=20&page=2');
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-test="empty"');
  });
});

describe('adding a value', () => {
  it('adds it at the end, offers it in the customer form and audits it', async () => {
    expect((await admin.get('/admin/dictionaries/new?type=industry')).status).toBe(200);
    const res = await postForm(admin, '/admin/dictionaries', {
      type: 'industry', code: 'energy', label_zh: '能源', label_en: 'Energy', sort: '', is_active: '1',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/dictionaries?type=industry');
    const value = await valueOf('industry', 'energy');
    expect(value.sort).toBe(80);
    expect(pickerCodes((await rep1.get('/customers/new')).text, 'industry').at(-1)).toBe('energy');
    const [audit] = await auditOf(value.id);
    expect(audit.action).toBe('create');
    expect(audit.changes.code.after).toBe('energy');
    expect(audit.changes.label_en.after).toBe('Energy');
  });

  it('shows the form again with 422, a message by each bad field and the typed values', async () => {
    const res = await postForm(admin, '/admin/dictionaries', {
      type: 'industry', code: 'has space', label_zh: '保留的中文', label_en: '', sort: 'x', is_active: '1',
    });
    expect(res.status).toBe(422);
    for (const field of ['code', 'label_en', 'sort']) expect(res.text).toContain(`data-test="error-${field}"`);
    expect(res.text).not.toContain('data-test="error-label_zh"');
    expect(res.text).toContain('value="has space"');
    expect(res.text).toContain('value="保留的中文"');
    expect(res.text).toContain('value="x"');
    expect(res.text).toContain('<option value="industry" selected>');
    expect(await valueOf('industry', 'has space')).toBeUndefined();
  });

  it('refuses a code the type already has, whatever its case, but not one another type has', async () => {
    const taken = await postForm(admin, '/admin/dictionaries', { type: 'industry', code: 'FINANCE', label_zh: '金融2', label_en: 'Finance 2' });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('data-test="error-code"');
    const elsewhere = await postForm(admin, '/admin/dictionaries', { type: 'followup_type', code: 'finance', label_zh: '财务', label_en: 'Finance', is_active: '1' });
    expect(elsewhere.status).toBe(303);
  });
});

describe('relabelling a value', () => {
  it('shows the new label in both languages on records that use it; the code stays', async () => {
    const value = await valueOf('customer_source', 'website');
    expect((await admin.get(`/admin/dictionaries/${value.id}/edit`)).status).toBe(200);
    const res = await postForm(admin, `/admin/dictionaries/${value.id}`, {
      code: 'hacked', type: 'industry', label_zh: '公司官网', label_en: 'Company website', sort: String(value.sort), is_active: '1',
      version: String(value.version),
    });
    expect(res.status).toBe(303);
    const saved = await valueOf('customer_source', 'website');
    expect(saved).toMatchObject({ id: value.id, label_zh: '公司官网', label_en: 'Company website' });
    const en = await admin.get(`/customers/${customerId}`).set('Accept-Language', 'en');
    expect(en.text).toMatch(/data-test="field-source">Company website</);
    const zh = await admin.get(`/customers/${customerId}`).set('Accept-Language', 'zh-CN');
    expect(zh.text).toMatch(/data-test="field-source">公司官网</);
    const audit = (await auditOf(value.id)).at(-1);
    expect(audit.changes).toEqual({
      label_zh: { before: '官网', after: '公司官网' },
      label_en: { before: 'Website', after: 'Company website' },
    });
  });

  it('shows the edit form again with 422 and the typed values', async () => {
    const value = await valueOf('customer_source', 'referral');
    const res = await postForm(admin, `/admin/dictionaries/${value.id}`, {
      label_zh: '', label_en: 'Kept typed', sort: '-5', is_active: '1', version: String(value.version),
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-label_zh"');
    expect(res.text).toContain('data-test="error-sort"');
    expect(res.text).toContain('value="Kept typed"');
    expect((await valueOf('customer_source', 'referral')).label_en).toBe('Referral');
  });
});

describe('a stale edit', () => {
  it('is a 409: the typed values kept, nothing overwritten, and saving again overwrites', async () => {
    const value = await valueOf('customer_source', 'referral');
    const form = await admin.get(`/admin/dictionaries/${value.id}/edit`);
    const version = versionIn(form.text);
    expect(version).toBe(String(value.version));
    const fields = { label_zh: value.label_zh, label_en: value.label_en, sort: String(value.sort), is_active: '1' };
    // A second tab saves first, on the same version.
    expect((await postForm(admin, `/admin/dictionaries/${value.id}`, { ...fields, label_zh: '别人的', version })).status).toBe(303);
    const stale = await postForm(admin, `/admin/dictionaries/${value.id}`, { ...fields, label_en: 'Mine 🙂', version });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('data-test="conflict"');
    expect(stale.text).toContain('value="Mine 🙂"');
    expect(stale.text).toContain('别人的');
    expect(await valueOf('customer_source', 'referral')).toMatchObject({ label_zh: '别人的', label_en: value.label_en, version: value.version + 1 });
    expect((await auditOf(value.id)).filter((a) => a.action === 'update')).toHaveLength(1);
    // The form now carries the current version: saving it again is a deliberate overwrite.
    expect(versionIn(stale.text)).toBe(String(value.version + 1));
    const again = await postForm(admin, `/admin/dictionaries/${value.id}`, { ...fields, label_en: 'Mine 🙂', version: versionIn(stale.text) });
    expect(again.status).toBe(303);
    expect(await valueOf('customer_source', 'referral')).toMatchObject({ label_zh: value.label_zh, label_en: 'Mine 🙂', version: value.version + 2 });
  });

  it('follows a move or a deactivation: both count the version up', async () => {
    const value = await valueOf('followup_type', 'call');
    const version = versionIn((await admin.get(`/admin/dictionaries/${value.id}/edit`)).text);
    expect((await postForm(admin, `/admin/dictionaries/${value.id}/deactivate`)).status).toBe(303);
    expect((await postForm(admin, `/admin/dictionaries/${value.id}/activate`)).status).toBe(303);
    expect((await valueOf('followup_type', 'call')).version).toBe(Number(version) + 2);
    const fields = { label_zh: value.label_zh, label_en: 'Stale', sort: String(value.sort), is_active: '1', version };
    expect((await postForm(admin, `/admin/dictionaries/${value.id}`, fields)).status).toBe(409);
    expect((await valueOf('followup_type', 'call')).label_en).toBe(value.label_en);
    // Moving "visit" above "call" renumbers both.
    const visit = await valueOf('followup_type', 'visit');
    const current = versionIn((await admin.get(`/admin/dictionaries/${value.id}/edit`)).text);
    expect((await postForm(admin, `/admin/dictionaries/${visit.id}/move`, { direction: 'up' })).status).toBe(303);
    expect((await valueOf('followup_type', 'call')).version).toBe(Number(current) + 1);
    expect((await postForm(admin, `/admin/dictionaries/${value.id}`, { ...fields, version: current })).status).toBe(409);
  });
});

describe('a value in use', () => {
  it('cannot be deleted: the confirm page offers deactivation and the delete is refused', async () => {
    const value = await valueOf('industry', 'finance');
    const page = await admin.get(`/admin/dictionaries/${value.id}/delete`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-test="in-use"');
    expect(page.text).toContain(`action="/admin/dictionaries/${value.id}/deactivate"`);
    expect(page.text).not.toContain(`action="/admin/dictionaries/${value.id}/delete"`);
    const res = await postForm(admin, `/admin/dictionaries/${value.id}/delete`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('data-test="in-use"');
    expect(await valueOf('industry', 'finance')).toBeDefined();
  });

  it('counts a deleted customer as a user too, since it can be restored', async () => {
    const value = await valueOf('customer_level', 'B');
    await t.db('customers').where('level', 'B').whereNot('id', customerId).update({ level: 'A' });
    await t.db('customers').where({ id: customerId }).update({ deleted_at: '2026-01-01 00:00:00' });
    expect((await postForm(admin, `/admin/dictionaries/${value.id}/delete`)).status).toBe(409);
    await t.db('customers').where({ id: customerId }).update({ deleted_at: null });
  });

  it('can be deactivated: it leaves the pickers, yet old records still show its label', async () => {
    const value = await valueOf('industry', 'finance');
    const res = await postForm(admin, `/admin/dictionaries/${value.id}/deactivate`);
    expect(res.status).toBe(303);
    expect(Boolean((await valueOf('industry', 'finance')).is_active)).toBe(false);
    expect(pickerCodes((await rep1.get('/customers/new')).text, 'industry')).not.toContain('finance');
    const show = await rep1.get(`/customers/${customerId}`).set('Accept-Language', 'en');
    expect(show.text).toMatch(/data-test="field-industry">Finance</);
    // The record's own value stays selectable, so saving it does not silently change it.
    expect(pickerCodes((await rep1.get(`/customers/${customerId}/edit`)).text, 'industry')).toContain('finance');
    expect((await auditOf(value.id)).at(-1).changes).toEqual({ is_active: { before: true, after: false } });
    expect((await admin.get('/admin/dictionaries?type=industry')).text).toContain('data-test="inactive"');

    expect((await postForm(admin, `/admin/dictionaries/${value.id}/activate`)).status).toBe(303);
    expect(pickerCodes((await rep1.get('/customers/new')).text, 'industry')).toContain('finance');
  });

  it('is deactivated by unticking "active" on the edit form', async () => {
    const value = await valueOf('customer_status', 'lost');
    const res = await postForm(admin, `/admin/dictionaries/${value.id}`, {
      label_zh: value.label_zh, label_en: value.label_en, sort: String(value.sort), version: String(value.version),
    });
    expect(res.status).toBe(303);
    expect(Boolean((await valueOf('customer_status', 'lost')).is_active)).toBe(false);
    expect(pickerCodes((await rep1.get('/customers/new')).text, 'status')).not.toContain('lost');
  });
});

describe('an unused value', () => {
  it('is deleted after a confirmation page, and the audit keeps what it was', async () => {
    await postForm(admin, '/admin/dictionaries', { type: 'customer_source', code: 'podcast', label_zh: '播客', label_en: 'Podcast', is_active: '1' });
    const value = await valueOf('customer_source', 'podcast');
    const page = await admin.get(`/admin/dictionaries/${value.id}/delete`);
    expect(page.text).toContain('data-test="delete-question"');
    expect(page.text).toContain(`action="/admin/dictionaries/${value.id}/delete"`);
    expect(await valueOf('customer_source', 'podcast')).toBeDefined();
    const res = await postForm(admin, `/admin/dictionaries/${value.id}/delete`);
    expect(res.status).toBe(303);
    expect(await valueOf('customer_source', 'podcast')).toBeUndefined();
    const audit = (await auditOf(value.id)).at(-1);
    expect(audit.action).toBe('delete');
    expect(audit.changes.code).toEqual({ before: 'podcast', after: null });
    expect(audit.changes.label_zh).toEqual({ before: '播客', after: null });
  });
});

describe('reordering', () => {
  it('moves a value up and down with buttons, and pickers follow the order', async () => {
    const c = await valueOf('customer_level', 'C');
    expect((await postForm(admin, `/admin/dictionaries/${c.id}/move`, { direction: 'up' })).status).toBe(303);
    expect(listedCodes((await admin.get('/admin/dictionaries?type=customer_level')).text)).toEqual(['A', 'C', 'B']);
    expect(pickerCodes((await rep1.get('/customers/new')).text, 'level')).toEqual(['A', 'C', 'B']);
    expect((await auditOf(c.id)).at(-1).changes.sort).toEqual({ before: 30, after: 20 });

    expect((await postForm(admin, `/admin/dictionaries/${c.id}/move`, { direction: 'down' })).status).toBe(303);
    expect(pickerCodes((await rep1.get('/customers/new')).text, 'level')).toEqual(['A', 'B', 'C']);
    const a = await valueOf('customer_level', 'A');
    expect((await postForm(admin, `/admin/dictionaries/${a.id}/move`, { direction: 'up' })).status).toBe(303);
    expect(pickerCodes((await rep1.get('/customers/new')).text, 'level')).toEqual(['A', 'B', 'C']);
  });

  it('moves past values sharing a position number one place at a time', async () => {
    await t.db('dictionaries').where({ type: 'customer_level' }).update({ sort: 10 });
    const c = await valueOf('customer_level', 'C');
    await postForm(admin, `/admin/dictionaries/${c.id}/move`, { direction: 'up' });
    expect(pickerCodes((await rep1.get('/customers/new')).text, 'level')).toEqual(['A', 'C', 'B']);
  });

  it('takes a position number from the edit form', async () => {
    const b = await valueOf('customer_level', 'B');
    const res = await postForm(admin, `/admin/dictionaries/${b.id}`, {
      label_zh: b.label_zh, label_en: b.label_en, sort: '1', is_active: '1', version: String(b.version),
    });
    expect(res.status).toBe(303);
    expect(pickerCodes((await rep1.get('/customers/new')).text, 'level')[0]).toBe('B');
  });

  it('refuses an unknown direction (400)', async () => {
    const b = await valueOf('customer_level', 'B');
    expect((await postForm(admin, `/admin/dictionaries/${b.id}/move`, { direction: 'sideways' })).status).toBe(400);
  });
});
