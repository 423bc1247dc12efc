import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let rep1: Agent;
let manager1: Agent;

beforeAll(async () => {
  t = await createTestApp();
  rep1 = await loginAs(t.app, 'rep1');
  manager1 = await loginAs(t.app, 'manager1');
});
afterAll(() => t.close());

const valid = { kind: 'company', name: '上海测试科技有限公司', status: 'new', phone: '021-55550001', email: 'sales@test.example.cn' };

async function createAs(agent: Agent, fields: Record<string, string>) {
  const res = await postForm(agent, '/customers', { ...valid, ...fields });
  expect(res.status).toBe(303);
  return Number(/\/customers\/(\d+)$/.exec(res.headers.location)![1]);
}

describe('create', () => {
  it('saves, redirects with 303 and shows a flash message on the next page', async () => {
    const res = await postForm(rep1, '/customers', { ...valid, name: '北京闪电贸易', phone: '010-12345678', email: 'a@b.cn' });
    expect(res.status).toBe(303);
    const page = await rep1.get(res.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-test="flash"');
    expect(page.text).toContain('已创建客户“北京闪电贸易”');
    // The flash is shown once.
    expect((await rep1.get(res.headers.location)).text).not.toContain('data-test="flash"');
  });

  it('answers 422 with a message by each bad field and every typed value kept', async () => {
    const res = await postForm(rep1, '/customers', {
      kind: 'company',
      name: '   ',
      status: 'new',
      phone: 'not a phone',
      email: 'nope',
      region: '浙江 杭州',
      remark: 'Keep me 🙂',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-name"');
    expect(res.text).toContain('data-test="error-phone"');
    expect(res.text).toContain('data-test="error-email"');
    expect(res.text).not.toContain('data-test="error-region"');
    expect(res.text).toContain('value="not a phone"');
    expect(res.text).toContain('value="nope"');
    expect(res.text).toContain('value="浙江 杭州"');
    expect(res.text).toContain('Keep me 🙂');
  });

  it('rejects a dictionary code that is not offered (422)', async () => {
    const res = await postForm(rep1, '/customers', { ...valid, name: 'Bad level', level: 'Z' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-level"');
  });

  it('refuses a POST without the CSRF token (403)', async () => {
    const res = await rep1.post('/customers').type('form').send(valid);
    expect(res.status).toBe(403);
  });

  it('shows possible duplicates in scope before saving, and saves when the user insists', async () => {
    await createAs(rep1, { name: 'Original Ltd', phone: '13900000001', email: 'dup@example.com' });
    const first = await postForm(rep1, '/customers', { ...valid, name: 'Copy Ltd', phone: '13900000001', email: 'other@example.com' });
    expect(first.status).toBe(200);
    expect(first.text).toContain('data-test="duplicates"');
    expect(first.text).toContain('Original Ltd');
    expect(first.text).toContain('name="confirm_duplicate" value="1"');
    expect(first.text).toContain('value="Copy Ltd"');
    expect(await t.db('customers').where({ name: 'Copy Ltd' }).first()).toBeUndefined();

    const insisted = await postForm(rep1, '/customers', {
      ...valid,
      name: 'Copy Ltd',
      phone: '13900000001',
      email: 'other@example.com',
      confirm_duplicate: '1',
    });
    expect(insisted.status).toBe(303);
    expect(await t.db('customers').where({ name: 'Copy Ltd' }).first()).toBeDefined();
  });

  it('does not reveal duplicates outside the scope', async () => {
    const rep3Customer = await t.db('customers').where('owner_id', await t.userId('rep3')).first();
    const res = await postForm(rep1, '/customers', { ...valid, name: 'Look-alike', phone: rep3Customer.phone, email: '' });
    expect(res.status).toBe(303);
  });
});

describe('Unicode', () => {
  it('round-trips Chinese, emoji and other scripts unchanged', async () => {
    const name = '深圳市🚀火箭科技有限公司 — Ünïcødé ½ 𠀋';
    const remark = '客户说：“下周再联系。” 👍🏽 עברית العربية';
    const id = await createAs(rep1, { name, remark, address: '广东省深圳市南山区科技园 1号' });
    const row = await t.db('customers').where({ id }).first();
    expect(row.name).toBe(name);
    expect(row.remark).toBe(remark);
    const page = await rep1.get(`/customers/${id}`);
    expect(page.text).toContain(name);
    expect(page.text).toContain('客户说：“下周再联系。” 👍🏽');
  });

  it('finds Chinese names by prefix with the search box', async () => {
    const id = await createAs(rep1, { name: '杭州西湖茶业', phone: '', email: '' });
    const res = await rep1.get(`/customers?q=${encodeURIComponent('杭州西')}`);
    expect(res.text).toContain(`href="/customers/${id}"`);
  });

  it('takes % and _ in the search box literally', async () => {
    const res = await rep1.get(`/customers?q=${encodeURIComponent('%')}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-test="empty"');
  });
});

describe('update', () => {
  it('saves with the current version, bumps it and redirects with 303', async () => {
    const id = await createAs(rep1, { name: 'Versioned', phone: '', email: '' });
    const res = await postForm(rep1, `/customers/${id}`, { ...valid, name: 'Versioned 2', phone: '', email: '', version: 1 });
    expect(res.status).toBe(303);
    const row = await t.db('customers').where({ id }).first();
    expect(row.name).toBe('Versioned 2');
    expect(row.version).toBe(2);
  });

  it('answers 409 on a stale version, keeps the user input and overwrites nothing', async () => {
    const id = await createAs(rep1, { name: 'Contested', phone: '', email: '' });
    // manager1 saves first
    expect((await postForm(manager1, `/customers/${id}`, { ...valid, name: 'Manager edit', phone: '', email: '', version: 1 })).status).toBe(303);
    const res = await postForm(rep1, `/customers/${id}`, { ...valid, name: 'Rep edit', phone: '', email: '', region: '成都', version: 1 });
    expect(res.status).toBe(409);
    expect(res.text).toContain('data-test="conflict"');
    expect(res.text).toContain('value="Rep edit"');
    expect(res.text).toContain('value="成都"');
    expect(res.text).toContain('Manager edit');
    const row = await t.db('customers').where({ id }).first();
    expect(row.name).toBe('Manager edit');
    expect(row.region).toBeNull();
    // The form now carries the current version, so saving again is a deliberate overwrite.
    expect(res.text).toContain('name="version" value="2"');
  });

  it('answers 422 on bad input during an edit and keeps the values', async () => {
    const id = await createAs(rep1, { name: 'Editable', phone: '', email: '' });
    const res = await postForm(rep1, `/customers/${id}`, { ...valid, name: '', email: 'broken@', version: 1 });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="broken@"');
    expect((await t.db('customers').where({ id }).first()).name).toBe('Editable');
  });

  it('stores the next follow-up typed in the user\'s time zone as UTC', async () => {
    const id = await createAs(rep1, { name: 'Follow me', phone: '', email: '', next_follow_up_at: '2026-12-01T09:30' });
    const row = await t.db('customers').where({ id }).first();
    expect(row.next_follow_up_at).toBe('2026-12-01 01:30:00'); // Asia/Shanghai is UTC+8
    const edit = await rep1.get(`/customers/${id}/edit`);
    expect(edit.text).toContain('value="2026-12-01T09:30"');
  });
});

describe('delete and restore', () => {
  it('asks for confirmation on a page that works without JavaScript', async () => {
    const id = await createAs(rep1, { name: 'To confirm', phone: '', email: '' });
    const res = await rep1.get(`/customers/${id}/delete`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`action="/customers/${id}/delete"`);
  });

  it('soft-deletes: the row stays, lists and pages hide it, a manager restores it', async () => {
    const id = await createAs(rep1, { name: 'Soft deleted', phone: '', email: '' });
    const del = await postForm(rep1, `/customers/${id}/delete`);
    expect(del.status).toBe(303);
    expect(del.headers.location).toBe('/customers');
    const row = await t.db('customers').where({ id }).first();
    expect(row.deleted_at).not.toBeNull();
    expect((await rep1.get(`/customers/${id}`)).status).toBe(404);
    expect((await rep1.get('/customers?per_page=100')).text).not.toContain(`href="/customers/${id}"`);

    const deletedList = await manager1.get('/customers?deleted=1&per_page=100');
    expect(deletedList.text).toContain(`href="/customers/${id}"`);
    const page = await manager1.get(`/customers/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-test="deleted-banner"');
    expect((await postForm(manager1, `/customers/${id}/restore`)).status).toBe(303);
    expect((await t.db('customers').where({ id }).first()).deleted_at).toBeNull();
    expect((await rep1.get(`/customers/${id}`)).status).toBe(200);
  });
});

describe('list', () => {
  it('sorts by a column in both directions and ignores unknown sort columns', async () => {
    const asc = await rep1.get('/customers?sort=name&dir=asc&per_page=100');
    const desc = await rep1.get('/customers?sort=name&dir=desc&per_page=100');
    const names = (html: string) => [...html.matchAll(/href="\/customers\/\d+">([^<]+)</g)].map((m) => m[1]);
    expect(names(asc.text).length).toBeGreaterThan(2);
    expect(names(desc.text)).toEqual([...names(asc.text)].reverse());
    expect((await rep1.get('/customers?sort=password_hash')).status).toBe(200);
  });

  it('paginates', async () => {
    for (let i = 0; i < 25; i++) await createAs(rep1, { name: `Page filler ${i}`, phone: '', email: '' });
    const first = await rep1.get('/customers?per_page=20&sort=created_at&dir=asc');
    const ids = [...first.text.matchAll(/href="\/customers\/(\d+)"/g)].map((m) => Number(m[1]));
    expect(ids.length).toBe(20);
    const second = await rep1.get('/customers?per_page=20&sort=created_at&dir=asc&page=2');
    const more = [...second.text.matchAll(/href="\/customers\/(\d+)"/g)].map((m) => Number(m[1]));
    expect(more.length).toBeGreaterThan(0);
    expect(more.some((id) => ids.includes(id))).toBe(false);
  });

  it('filters by status', async () => {
    const res = await rep1.get('/customers?status=lost&per_page=100');
    const ids = [...res.text.matchAll(/href="\/customers\/(\d+)"/g)].map((m) => Number(m[1]));
    const rows = await t.db('customers').whereIn('id', ids);
    expect(rows.every((r) => r.status === 'lost')).toBe(true);
  });
});
