import bcrypt from 'bcrypt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BCRYPT_COST } from '../src/auth/passwords.js';
import { csrfFrom, createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let admin: Agent;

beforeAll(async () => {
  t = await createTestApp({ customers: 8 });
  admin = await loginAs(t.app, 'admin');
});
afterAll(() => t.close());

/** One login attempt in a fresh browser; the status tells whether it worked (303) or not (401). */
async function loginStatus(username: string, password: string): Promise<number> {
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username, password });
  return res.status;
}

async function roleId(code: string): Promise<number> {
  return (await t.db('roles').where({ code }).first('id')).id;
}

async function departmentId(nameEn: string): Promise<number> {
  return (await t.db('departments').where({ name_en: nameEn }).first('id')).id;
}

async function auditOf(userId: number) {
  const rows = await t.db('audit_log').where({ entity: 'user', entity_id: userId }).orderBy('id');
  return rows.map((r) => ({ ...r, changes: r.changes ? JSON.parse(r.changes) : null }));
}

/** The account's version now, as an edit form opened now carries it. */
async function versionOf(userId: number): Promise<string> {
  return String((await t.db('users').where({ id: userId }).first('version')).version);
}

/** The hidden version an edit form carries. */
function versionIn(html: string): string {
  const match = /name="version" value="(\d+)"/.exec(html);
  if (!match) throw new Error('No version field on the page');
  return match[1];
}

async function newUserFields(overrides: Record<string, string | number> = {}) {
  return {
    username: 'newrep',
    display_name: '新同事',
    email: 'newrep@example.com',
    phone: '',
    role_id: await roleId('rep'),
    department_id: await departmentId('Sales North'),
    password: 'first-pass-1',
    password_confirm: 'first-pass-1',
    ...overrides,
  };
}

describe('only the admin reaches /admin/users', () => {
  it.each(['manager1', 'rep1'])('%s gets 403 on every route, GET and POST, and changes nothing', async (username) => {
    const agent = await loginAs(t.app, username);
    const target = await t.userId('rep2');
    const before = await t.db('users').where({ id: target }).first();
    const count = await t.db('users').count({ n: '*' }).first();
    for (const url of ['/admin/users', '/admin/users/new', `/admin/users/${target}/edit`, `/admin/users/${target}/password`, `/admin/users/${target}/deactivate`]) {
      expect((await agent.get(url)).status, url).toBe(403);
    }
    const posts: Array<[string, Record<string, string | number>]> = [
      ['/admin/users', await newUserFields({ username: 'sneaky' })],
      [`/admin/users/${target}`, { display_name: 'Hijacked', role_id: await roleId('admin') }],
      [`/admin/users/${target}/password`, { password: 'stolen-pass', password_confirm: 'stolen-pass' }],
      [`/admin/users/${target}/deactivate`, {}],
      [`/admin/users/${target}/activate`, {}],
      [`/admin/users/${target}/unlock`, {}],
    ];
    for (const [url, fields] of posts) expect((await postForm(agent, url, fields)).status, url).toBe(403);
    expect(await t.db('users').where({ id: target }).first()).toEqual(before);
    expect(await t.db('users').count({ n: '*' }).first()).toEqual(count);
    expect((await agent.get('/')).text).not.toContain('href="/admin/users"');
  });

  it('the admin sees the page and the navbar link', async () => {
    const res = await admin.get('/admin/users');
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/admin/users"');
  });
});

describe('the user list', () => {
  it('lists every user with role, department and a total', async () => {
    const res = await admin.get('/admin/users').set('Accept-Language', 'en');
    for (const username of ['admin', 'manager1', 'rep1', 'rep2', 'manager2', 'rep3']) {
      expect(res.text).toContain(`data-test="user-${username}"`);
    }
    expect(res.text).toContain('Sales manager');
    expect(res.text).toContain('East Team 2');
    expect(res.text).toContain('6 in all');
  });

  it('searches by username and by display name', async () => {
    const byName = await admin.get('/admin/users?q=rep');
    expect(byName.text).toContain('data-test="user-rep1"');
    expect(byName.text).not.toContain('data-test="user-manager1"');
    const byDisplayName = await admin.get(`/admin/users?q=${encodeURIComponent('王经理')}`);
    expect(byDisplayName.text).toContain('data-test="user-manager1"');
    expect(byDisplayName.text).not.toContain('data-test="user-rep1"');
  });

  it('sorts by a column in both directions', async () => {
    const order = (html: string) => [...html.matchAll(/data-test="user-([^"]+)"/g)].map((m) => m[1]);
    const asc = order((await admin.get('/admin/users?sort=username&dir=asc')).text);
    const desc = order((await admin.get('/admin/users?sort=username&dir=desc')).text);
    expect(asc).toEqual([...asc].sort());
    expect(desc).toEqual([...asc].reverse());
  });

  it('pages through the users', async () => {
    const res = await admin.get('/admin/users?per_page=20&page=2');
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-test="empty"');
  });
});

describe('creating a user', () => {
  it('creates a user who can log in; the audit row holds no password or hash', async () => {
    const form = await admin.get('/admin/users/new');
    expect(form.status).toBe(200);
    const res = await postForm(admin, '/admin/users', await newUserFields());
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/users');
    expect((await admin.get('/admin/users')).text).toContain('newrep');
    const user = await t.db('users').where({ username: 'newrep' }).first();
    expect(user.display_name).toBe('新同事');
    expect(user.department_id).toBe(await departmentId('Sales North'));
    expect(user.password_hash).toMatch(/^\$2[aby]\$/);
    expect(bcrypt.getRounds(user.password_hash)).toBe(BCRYPT_COST);
    expect(await loginStatus('newrep', 'first-pass-1')).toBe(303);
    const [audit] = await auditOf(user.id);
    expect(audit.action).toBe('create');
    expect(audit.actor_id).toBe(await t.userId('admin'));
    expect(audit.changes.username.after).toBe('newrep');
    expect(audit.changes.role_id.after).toBe(await roleId('rep'));
    const raw = JSON.stringify(audit.changes);
    expect(raw).not.toContain('first-pass-1');
    expect(raw).not.toContain('$2');
    expect(raw).not.toContain('password');
  });

  it('shows the form again with 422, a message by each bad field and the typed values (never the password)', async () => {
    const res = await postForm(admin, '/admin/users', await newUserFields({
      username: 'a b',
      display_name: '保留的名字',
      email: 'not-an-email',
      password: 'short',
      password_confirm: 'short',
    }));
    expect(res.status).toBe(422);
    for (const field of ['username', 'email', 'password']) expect(res.text).toContain(`data-test="error-${field}"`);
    expect(res.text).not.toContain('data-test="error-display_name"');
    expect(res.text).toContain('value="a b"');
    expect(res.text).toContain('value="保留的名字"');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain(`<option value="${await departmentId('Sales North')}" selected>`);
    expect(res.text).not.toContain('value="short"');
    expect(await t.db('users').where({ username: 'a b' }).first()).toBeUndefined();
  });

  it('refuses a username already taken, whatever its case', async () => {
    const res = await postForm(admin, '/admin/users', await newUserFields({ username: 'REP1' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-username"');
    const same = await t.db('users').whereRaw('lower(username) = ?', ['rep1']).count({ n: '*' }).first();
    expect(Number(same?.n)).toBe(1);
  });

  it('refuses two different passwords', async () => {
    const res = await postForm(admin, '/admin/users', await newUserFields({ username: 'typo', password_confirm: 'first-pass-2' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-password_confirm"');
    expect(await t.db('users').where({ username: 'typo' }).first()).toBeUndefined();
  });

  it('requires a department for a manager, whose scope it is', async () => {
    const res = await postForm(admin, '/admin/users', await newUserFields({
      username: 'lonelymanager',
      role_id: await roleId('manager'),
      department_id: '',
    }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-department_id"');
  });
});

describe('editing a user', () => {
  it('changes role and department, and audits the change', async () => {
    const id = await t.userId('rep3');
    expect((await admin.get(`/admin/users/${id}/edit`)).status).toBe(200);
    const res = await postForm(admin, `/admin/users/${id}`, {
      display_name: '周芳',
      email: 'rep3@demo.example.com',
      phone: '',
      role_id: await roleId('manager'),
      department_id: await departmentId('East Team 2'),
      version: await versionOf(id),
    });
    expect(res.status).toBe(303);
    const user = await t.db('users').where({ id }).first();
    expect(user.role_id).toBe(await roleId('manager'));
    expect(user.department_id).toBe(await departmentId('East Team 2'));
    const audit = (await auditOf(id)).at(-1);
    expect(audit.action).toBe('update');
    expect(audit.changes.role_id).toEqual({ before: await roleId('rep'), after: await roleId('manager') });
    expect(Object.keys(audit.changes).sort()).toEqual(['department_id', 'role_id']);
    const manager = await loginAs(t.app, 'rep3');
    expect((await manager.get('/customers')).status).toBe(200);
  });

  it('ends the open session of a user whose role changed; they log in again under the new role', async () => {
    const id = await t.userId('rep1');
    const rep1 = await loginAs(t.app, 'rep1');
    const edit = async (role: string) =>
      postForm(admin, `/admin/users/${id}`, {
        display_name: '李明',
        email: 'rep1@demo.example.com',
        phone: '',
        role_id: role,
        department_id: String(departmentOfRep1),
        version: await versionOf(id),
      });
    const departmentOfRep1 = (await t.db('users').where({ id }).first('department_id')).department_id;
    // The owner filter is for roles that may assign customers; a rep's list has none.
    expect((await rep1.get('/customers')).text).not.toContain('name="owner_id"');
    expect((await edit(String(await roleId('manager')))).status).toBe(303);
    // The role change ended the open session; the next login works under the new role.
    expect((await rep1.get('/customers')).status).toBe(303);
    const asManager = await loginAs(t.app, 'rep1');
    expect((await asManager.get('/customers')).text).toContain('name="owner_id"');
    expect((await edit(String(await roleId('rep')))).status).toBe(303);
    expect((await asManager.get('/customers')).status).toBe(303);
    expect((await (await loginAs(t.app, 'rep1')).get('/customers')).text).not.toContain('name="owner_id"');
  });

  it('shows the edit form again with 422 and the typed values', async () => {
    const id = await t.userId('rep1');
    const res = await postForm(admin, `/admin/users/${id}`, {
      display_name: '',
      email: 'still typed@',
      phone: '12',
      role_id: await roleId('rep'),
      department_id: await departmentId('Sales East'),
      version: await versionOf(id),
    });
    expect(res.status).toBe(422);
    for (const field of ['display_name', 'email', 'phone']) expect(res.text).toContain(`data-test="error-${field}"`);
    expect(res.text).toContain('value="still typed@"');
    expect(res.text).toContain('value="12"');
    expect((await t.db('users').where({ id }).first()).display_name).toBe('李明');
  });

  it('does not let the admin change their own role', async () => {
    const id = await t.userId('admin');
    const res = await postForm(admin, `/admin/users/${id}`, {
      display_name: '系统管理员', role_id: await roleId('rep'), version: await versionOf(id),
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-role_id"');
    expect((await t.db('users').where({ id }).first()).role_id).toBe(await roleId('admin'));
  });

  it('409 on a stale save: the typed values kept, nothing overwritten, and saving again overwrites', async () => {
    const id = await t.userId('rep2');
    const before = await t.db('users').where({ id }).first();
    const form = await admin.get(`/admin/users/${id}/edit`).set('Accept-Language', 'en');
    const version = versionIn(form.text);
    expect(version).toBe(String(before.version));
    const fields = {
      display_name: before.display_name,
      email: before.email ?? '',
      phone: before.phone ?? '',
      role_id: String(before.role_id),
      department_id: String(before.department_id),
    };
    // A second tab saves first, on the same version.
    const salesEast = String(await departmentId('Sales East'));
    expect((await postForm(admin, `/admin/users/${id}`, { ...fields, phone: '021-5555 0000', department_id: salesEast, version })).status).toBe(303);
    const stale = await postForm(admin, `/admin/users/${id}`, { ...fields, display_name: '我的改动 🙂', version }).set('Accept-Language', 'en');
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('data-test="conflict"');
    expect(stale.text).toContain('value="我的改动 🙂"');
    const notice = stale.text.slice(stale.text.indexOf('data-test="conflict"'), stale.text.indexOf('data-test="user-form"'));
    expect(notice).toContain('Phone: 021-5555 0000');
    expect(notice).toContain('Department: Sales East');
    expect(notice).not.toContain('E-mail');
    expect(await t.db('users').where({ id }).first()).toMatchObject({
      display_name: before.display_name,
      phone: '021-5555 0000',
      department_id: Number(salesEast),
      version: before.version + 1,
    });
    expect((await auditOf(id)).filter((a) => a.action === 'update')).toHaveLength(1);
    // The form now carries the current version: saving it again is a deliberate overwrite.
    expect(versionIn(stale.text)).toBe(String(before.version + 1));
    const again = await postForm(admin, `/admin/users/${id}`, { ...fields, display_name: '我的改动 🙂', version: versionIn(stale.text) });
    expect(again.status).toBe(303);
    expect(await t.db('users').where({ id }).first()).toMatchObject({
      display_name: '我的改动 🙂', phone: null, department_id: before.department_id, version: before.version + 2,
    });
  });

  it('follows the account actions: deactivation, activation, a password reset and an unlock count the version up', async () => {
    const id = await t.userId('manager2');
    const version = versionIn((await admin.get(`/admin/users/${id}/edit`)).text);
    expect((await postForm(admin, `/admin/users/${id}/deactivate`)).status).toBe(303);
    expect((await postForm(admin, `/admin/users/${id}/activate`)).status).toBe(303);
    expect((await postForm(admin, `/admin/users/${id}/password`, { password: 'another-pass-2', password_confirm: 'another-pass-2' })).status).toBe(303);
    await t.db('users').where({ id }).update({ failed_logins: 2 });
    expect((await postForm(admin, `/admin/users/${id}/unlock`)).status).toBe(303);
    expect(await versionOf(id)).toBe(String(Number(version) + 4));
    const row = await t.db('users').where({ id }).first();
    const stale = await postForm(admin, `/admin/users/${id}`, {
      display_name: 'Stale', email: row.email ?? '', phone: '', role_id: String(row.role_id), department_id: String(row.department_id), version,
    });
    expect(stale.status).toBe(409);
    expect((await t.db('users').where({ id }).first()).display_name).toBe(row.display_name);
  });

  it('answers 404 for a user that does not exist', async () => {
    expect((await admin.get('/admin/users/999999/edit')).status).toBe(404);
    expect((await postForm(admin, '/admin/users/999999/deactivate')).status).toBe(404);
  });
});

describe('deactivating a user', () => {
  it('asks first on a page of its own, changing nothing', async () => {
    const id = await t.userId('rep2');
    const res = await admin.get(`/admin/users/${id}/deactivate`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-test="deactivate-question"');
    expect(res.text).toContain(`action="/admin/users/${id}/deactivate"`);
    expect(Boolean((await t.db('users').where({ id }).first()).is_active)).toBe(true);
  });

  it('stops the user logging in and ends their open session; activating lets them back', async () => {
    const id = await t.userId('rep2');
    const rep2 = await loginAs(t.app, 'rep2');
    const res = await postForm(admin, `/admin/users/${id}/deactivate`);
    expect(res.status).toBe(303);
    expect(Boolean((await t.db('users').where({ id }).first()).is_active)).toBe(false);
    expect(await loginStatus('rep2', 'demo1234')).toBe(401);
    expect((await rep2.get('/customers')).status).toBe(303);
    expect((await auditOf(id)).at(-1).changes).toEqual({ is_active: { before: true, after: false } });
    expect((await admin.get('/admin/users?status=inactive')).text).toContain('data-test="user-rep2"');

    expect((await postForm(admin, `/admin/users/${id}/activate`)).status).toBe(303);
    expect(await loginStatus('rep2', 'demo1234')).toBe(303);
    expect((await auditOf(id)).at(-1).changes).toEqual({ is_active: { before: false, after: true } });
  });

  it('does not let the admin deactivate themselves', async () => {
    const id = await t.userId('admin');
    const page = await admin.get(`/admin/users/${id}/deactivate`);
    expect(page.text).toContain('data-test="deactivate-self"');
    expect(page.text).not.toContain(`action="/admin/users/${id}/deactivate"`);
    const res = await postForm(admin, `/admin/users/${id}/deactivate`);
    expect(res.status).toBe(422);
    expect(Boolean((await t.db('users').where({ id }).first()).is_active)).toBe(true);
    expect((await admin.get('/admin/users')).status).toBe(200);
  });
});

describe('resetting a password', () => {
  it('sets a password that works for login, retires the old one, and audits it without the hash', async () => {
    const id = await t.userId('manager2');
    expect((await admin.get(`/admin/users/${id}/password`)).status).toBe(200);
    const res = await postForm(admin, `/admin/users/${id}/password`, { password: 'brand-new-9', password_confirm: 'brand-new-9' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/users/${id}/edit`);
    expect(await loginStatus('manager2', 'demo1234')).toBe(401);
    expect(await loginStatus('manager2', 'brand-new-9')).toBe(303);
    const audit = (await auditOf(id)).at(-1);
    expect(audit.changes.password).toEqual({ before: null, after: 'reset' });
    expect(JSON.stringify(audit.changes)).not.toContain('$2');
    expect(JSON.stringify(audit.changes)).not.toContain('brand-new-9');
  });

  it('refuses a short password and a mismatched repeat with 422', async () => {
    const id = await t.userId('manager2');
    const hash = (await t.db('users').where({ id }).first()).password_hash;
    const short = await postForm(admin, `/admin/users/${id}/password`, { password: 'abc', password_confirm: 'abc' });
    expect(short.status).toBe(422);
    expect(short.text).toContain('data-test="error-password"');
    const differ = await postForm(admin, `/admin/users/${id}/password`, { password: 'longenough1', password_confirm: 'longenough2' });
    expect(differ.status).toBe(422);
    expect(differ.text).toContain('data-test="error-password_confirm"');
    expect((await t.db('users').where({ id }).first()).password_hash).toBe(hash);
  });
});

describe('unlocking a user', () => {
  it('clears locked_until and the failed count, so the user can log in at once', async () => {
    const id = await t.userId('rep1');
    const until = new Date(Date.now() + 10 * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    await t.db('users').where({ id }).update({ locked_until: until, failed_logins: 3 });
    expect(await loginStatus('rep1', 'demo1234')).toBe(401);
    const list = await admin.get('/admin/users?status=locked');
    expect(list.text).toContain('data-test="user-rep1"');
    expect(list.text).toContain('data-test="status-locked"');
    expect((await admin.get(`/admin/users/${id}/edit`)).text).toContain('data-test="unlock"');

    const res = await postForm(admin, `/admin/users/${id}/unlock`);
    expect(res.status).toBe(303);
    const user = await t.db('users').where({ id }).first();
    expect(user.locked_until).toBeNull();
    expect(user.failed_logins).toBe(0);
    expect(await loginStatus('rep1', 'demo1234')).toBe(303);
    const audit = (await auditOf(id)).at(-1);
    expect(audit.changes.locked_until).toEqual({ before: until, after: null });
  });
});
