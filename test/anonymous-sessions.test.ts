import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, createTestApp, loginAs, postForm, type TestApp } from './support/test-app.js';

// A visitor who is not logged in stores no session: the login form's CSRF token is a signed cookie
// (double submit), so the sessions table holds only the sessions of people who logged in.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ customers: 2 });
});
afterAll(() => t.close());

async function sessionRows(): Promise<number> {
  return Number((await t.db('sessions').count({ n: '*' }).first())!.n);
}

describe('anonymous page views', () => {
  it('store no session row: my day, health checks, the login page, a 404 page and a static asset', async () => {
    const before = await sessionRows();
    const paths = ['/', '/healthz', '/readyz', '/login', '/login?next=%2Fcustomers', '/no-such-page', '/public/app.js'];
    for (let i = 0; i < 10; i++) {
      for (const path of paths) {
        const res = await request(t.app).get(path);
        expect(res.status).toBeLessThan(500);
      }
    }
    // A browser keeping its cookies and switching the language (a form with a CSRF token) neither.
    const browser = request.agent(t.app);
    const page = await browser.get('/login');
    expect((await browser.post('/locale').type('form').send({ _csrf: csrfFrom(page.text), locale: 'en', return_to: '/login' })).status).toBe(303);
    expect((await browser.get('/login')).text).toContain('Log in');
    expect(await sessionRows()).toBe(before);
  });

  it('a logged-in flow still works: one session row, pages, forms and logout', async () => {
    const before = await sessionRows();
    const rep = await loginAs(t.app, 'rep1');
    expect(await sessionRows()).toBe(before + 1);
    expect((await rep.get('/customers')).status).toBe(200);
    const created = await postForm(rep, '/customers', { kind: 'company', name: '无会话测试客户', status: 'new', level: 'B' });
    expect(created.status).toBe(303);
    expect((await postForm(rep, '/logout')).status).toBe(303);
    expect((await rep.get('/customers')).status).toBe(303);
    expect(await sessionRows()).toBe(before);
  });
});

describe("the login form's CSRF protection", () => {
  it('refuses a post without a token, with a token of another browser, and with a made-up token', async () => {
    const victim = request.agent(t.app);
    await victim.get('/login');
    const attacker = request.agent(t.app);
    const attackersToken = csrfFrom((await attacker.get('/login')).text);
    const fields = { username: 'rep1', password: 'demo1234' };
    expect((await victim.post('/login').type('form').send(fields)).status).toBe(403);
    expect((await victim.post('/login').type('form').send({ ...fields, _csrf: attackersToken })).status).toBe(403);
    expect((await victim.post('/login').type('form').send({ ...fields, _csrf: `${'0'.repeat(64)}.${'1'.repeat(64)}` })).status).toBe(403);
    // A post with no cookie at all, as a cross-site form would send without the browser's cookie.
    expect((await request(t.app).post('/login').type('form').send({ ...fields, _csrf: attackersToken })).status).toBe(403);
  });

  it("a logged-out page's token does not work for a logged-in session", async () => {
    const browser = request.agent(t.app);
    const page = await browser.get('/login');
    const anonymousToken = csrfFrom(page.text);
    expect((await browser.post('/login').type('form').send({ _csrf: anonymousToken, username: 'rep2', password: 'demo1234' })).status).toBe(303);
    expect((await browser.post('/logout').type('form').send({ _csrf: anonymousToken })).status).toBe(403);
  });
});
