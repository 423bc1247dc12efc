import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/app.js';
import { csrfFrom, createTestApp, loginAs, postForm, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function sessionCookie(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0];
}

async function attempt(username: string, password: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/login').set('Accept-Language', 'en');
  const res = await agent
    .post('/login')
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), username, password });
  return { agent, page, res };
}

describe('login', () => {
  it('logs in with the right password, starts the session only then, and logs the attempt', async () => {
    const { page, res } = await attempt('rep1', 'demo1234');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    // The login page stores no session (its CSRF token is a signed cookie); the login starts one.
    expect(sessionCookie(page)).toBeUndefined();
    expect(sessionCookie(res)).toBeDefined();
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';')).toMatch(/HttpOnly/);
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';')).toMatch(/SameSite=Lax/);
    const log = await t.db('login_log').where({ username: 'rep1' }).orderBy('id', 'desc').first();
    expect(Boolean(log.success)).toBe(true);
    expect(log.user_id).toBe(await t.userId('rep1'));
  });

  it('stores the session in the database, not in memory', async () => {
    const { agent } = await attempt('rep2', 'demo1234');
    const sessions = await t.db('sessions').select('sess');
    expect(sessions.some((s) => typeof JSON.parse(s.sess).passport?.user === 'number')).toBe(true);
    const home = await agent.get('/');
    expect(home.status).toBe(200);
  });

  it('refuses a wrong password with 401, keeps the username and logs the failure', async () => {
    const { res } = await attempt('rep3', 'wrong-password');
    expect(res.status).toBe(401);
    expect(res.text).toContain('Wrong username or password.');
    expect(res.text).toContain('value="rep3"');
    const log = await t.db('login_log').where({ username: 'rep3' }).orderBy('id', 'desc').first();
    expect(Boolean(log.success)).toBe(false);
  });

  it('refuses an unknown user the same way', async () => {
    const { res } = await attempt('nobody', 'demo1234');
    expect(res.status).toBe(401);
    expect(res.text).toContain('Wrong username or password.');
  });

  it('locks the account for 15 minutes after five failed logins, even for the right password', async () => {
    for (let i = 0; i < 4; i++) expect((await attempt('manager2', 'nope')).res.status).toBe(401);
    const fifth = await attempt('manager2', 'nope');
    expect(fifth.res.text).toMatch(/locked until/);
    const locked = await attempt('manager2', 'demo1234');
    expect(locked.res.status).toBe(401);
    expect(locked.res.text).toMatch(/Too many failed logins/);
    const user = await t.db('users').where({ username: 'manager2' }).first();
    const minutes = (Date.parse(user.locked_until.replace(' ', 'T') + 'Z') - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);
  });

  it('refuses a login without a CSRF token (403)', async () => {
    const res = await request(t.app).post('/login').type('form').send({ username: 'rep1', password: 'demo1234' });
    expect(res.status).toBe(403);
  });

  it('refuses a deactivated user', async () => {
    await t.db('users').where({ username: 'rep2' }).update({ is_active: false });
    const { res } = await attempt('rep2', 'demo1234');
    expect(res.status).toBe(401);
    await t.db('users').where({ username: 'rep2' }).update({ is_active: true });
  });
});

describe('logout and guarded pages', () => {
  it('sends an anonymous visitor to the login page, remembering the page', async () => {
    const res = await request(t.app).get('/customers?q=abc');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fcustomers%3Fq%3Dabc');
  });

  it('logs out and forgets the session', async () => {
    const agent = await loginAs(t.app, 'rep1');
    expect((await agent.get('/customers')).status).toBe(200);
    const out = await postForm(agent, '/logout');
    expect(out.status).toBe(303);
    expect((await agent.get('/customers')).status).toBe(303);
  });

  it('returns to the remembered page after login', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login?next=%2Fcustomers');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: 'rep1', password: 'demo1234', next: '/customers' });
    expect(res.headers.location).toBe('/customers');
  });

  it('never redirects off-site after login', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: 'rep1', password: 'demo1234', next: '//evil.example.com' });
    expect(res.headers.location).toBe('/');
  });
});
