import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// An admin's password reset, deactivation and role change end the user's open sessions at once, and
// a user changing their own password ends their other sessions and keeps the one they used.

let t: TestApp;
let admin: Agent;

beforeAll(async () => {
  t = await createTestApp({ customers: 4 });
  admin = await loginAs(t.app, 'admin');
});
afterAll(() => t.close());

/** A page the user reaches while logged in; an ended session is sent to /login instead. */
async function isLoggedIn(agent: Agent): Promise<boolean> {
  const res = await agent.get('/');
  if (res.status === 200) return true;
  expect(res.status).toBe(303);
  expect(res.headers.location).toMatch(/^\/login/);
  return false;
}

async function roleId(code: string): Promise<number> {
  return (await t.db('roles').where({ code }).first('id')).id;
}

async function profileFields(id: number, roleCode: string) {
  const user = await t.db('users').where({ id }).first();
  return {
    display_name: user.display_name,
    email: user.email ?? '',
    phone: user.phone ?? '',
    role_id: await roleId(roleCode),
    department_id: user.department_id ?? '',
    version: user.version,
  };
}

describe("an admin's change ends the user's open sessions", () => {
  it('a password reset sends the old session to /login on its very next request', async () => {
    const id = await t.userId('rep1');
    const rep1 = await loginAs(t.app, 'rep1');
    expect(await isLoggedIn(rep1)).toBe(true);
    const res = await postForm(admin, `/admin/users/${id}/password`, { password: 'reset-pass-1', password_confirm: 'reset-pass-1' });
    expect(res.status).toBe(303);
    expect(await isLoggedIn(rep1)).toBe(false);
    expect(await t.db('sessions').where({ user_id: id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    // The admin's own session is untouched.
    expect(await isLoggedIn(admin)).toBe(true);
  });

  it('a role change sends the old session to /login', async () => {
    const id = await t.userId('rep2');
    const rep2 = await loginAs(t.app, 'rep2');
    expect(await isLoggedIn(rep2)).toBe(true);
    expect((await postForm(admin, `/admin/users/${id}`, await profileFields(id, 'manager'))).status).toBe(303);
    expect(await isLoggedIn(rep2)).toBe(false);
    // Logging in again gives the new role.
    const again = await loginAs(t.app, 'rep2');
    expect((await again.get('/customers')).text).toContain('name="owner_id"');
  });

  it('a deactivation ends the session, and a reactivation does not bring it back', async () => {
    const id = await t.userId('rep3');
    const rep3 = await loginAs(t.app, 'rep3');
    expect(await isLoggedIn(rep3)).toBe(true);
    expect((await postForm(admin, `/admin/users/${id}/deactivate`)).status).toBe(303);
    expect((await postForm(admin, `/admin/users/${id}/activate`)).status).toBe(303);
    // The session was not used while the user was inactive: it must still be dead.
    expect(await isLoggedIn(rep3)).toBe(false);
    expect(await t.db('sessions').where({ user_id: id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('writes the logged-in user on the session row', async () => {
    const id = await t.userId('manager1');
    await loginAs(t.app, 'manager1');
    const rows = await t.db('sessions').where({ user_id: id }).select('sess');
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.parse(rows[0].sess).passport.user).toBe(id);
  });
});

describe('changing one\'s own password', () => {
  it('is linked from the user menu and asks for the current password', async () => {
    const me = await loginAs(t.app, 'manager2');
    const home = await me.get('/');
    expect(home.text).toContain('href="/profile/password"');
    expect((await me.get('/profile')).headers.location).toBe('/profile/password');
    const page = await me.get('/profile/password');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="current_password"');
  });

  it('422 with the wrong current password, nothing changed', async () => {
    const me = await loginAs(t.app, 'manager2');
    const hash = (await t.db('users').where({ username: 'manager2' }).first()).password_hash;
    const res = await postForm(me, '/profile/password', {
      current_password: 'not-my-password',
      password: 'my-new-pass-1',
      password_confirm: 'my-new-pass-1',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-current_password"');
    expect((await t.db('users').where({ username: 'manager2' }).first()).password_hash).toBe(hash);
    expect(await isLoggedIn(me)).toBe(true);
  });

  it('works with the right current password, ends the other sessions, keeps this one, and is audited', async () => {
    const id = await t.userId('manager2');
    const here = await loginAs(t.app, 'manager2');
    const elsewhere = await loginAs(t.app, 'manager2');
    const res = await postForm(here, '/profile/password', {
      current_password: 'demo1234',
      password: 'my-new-pass-1',
      password_confirm: 'my-new-pass-1',
    });
    expect(res.status).toBe(303);
    expect(await isLoggedIn(here)).toBe(true);
    expect(await isLoggedIn(elsewhere)).toBe(false);
    const audit = await t.db('audit_log').where({ entity: 'user', entity_id: id }).orderBy('id', 'desc').first();
    expect(audit.actor_id).toBe(id);
    expect(JSON.parse(audit.changes).password).toEqual({ before: null, after: 'changed' });
    expect(audit.changes).not.toContain('my-new-pass-1');

    const fresh = request.agent(t.app);
    const page = await fresh.get('/login');
    const login = await fresh.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: 'manager2', password: 'my-new-pass-1' });
    expect(login.status).toBe(303);
  });
});
