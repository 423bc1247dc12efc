import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, loginAs, postForm, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ customers: 3, sales: true });
});
afterAll(() => t.close());

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every GET page the app defines, read from its routers, with each `:id` made a real-looking 1. */
function getPages(app: Express): string[] {
  const paths = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route?.methods.get) paths.add(layer.route.path.replace(/:\w+/g, '1'));
      if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...paths];
}

function expectNoStore(res: request.Response, what: string): void {
  expect(res.headers['cache-control'] ?? '(none)', `${what} answered ${res.status}`).toMatch(/\bno-store\b/);
}

describe('Cache-Control: no-store on what a logged-in user is shown', () => {
  it('every page, as the admin and as a rep (200, 403 and 404 alike)', async () => {
    const pages = getPages(t.app);
    expect(pages.length).toBeGreaterThan(40);
    for (const username of ['admin', 'rep1']) {
      const agent = await loginAs(t.app, username);
      const statuses = new Set<number>();
      for (const page of [...pages, '/no-such-page']) {
        const res = await agent.get(page);
        statuses.add(res.status);
        expectNoStore(res, `${username}: GET ${page}`);
      }
      expect(statuses).toContain(200);
      expect(statuses).toContain(404);
      if (username === 'rep1') expect(statuses).toContain(403);
    }
  }, 120_000);

  it('redirects and refused forms after a POST', async () => {
    const agent = await loginAs(t.app, 'rep1');
    const created = await postForm(agent, '/customers', { kind: 'company', name: 'No Store Co', status: 'new' });
    expect(created.status).toBe(303);
    expectNoStore(created, 'POST /customers');
    const refused = await postForm(agent, '/customers', { kind: 'company', name: '', status: 'new' });
    expect(refused.status).toBe(422);
    expectNoStore(refused, 'POST /customers (invalid)');
    const switched = await postForm(agent, '/locale', { locale: 'en', return_to: '/customers' });
    expect(switched.status).toBe(303);
    expectNoStore(switched, 'POST /locale');
    const out = await postForm(agent, '/logout');
    expect(out.status).toBe(303);
    expectNoStore(out, 'POST /logout');
  });

  it('the login page (it holds a CSRF token) and the login\'s answers', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    expectNoStore(page, 'GET /login');
    const wrong = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: 'rep2', password: 'nope' });
    expect(wrong.status).toBe(401);
    expectNoStore(wrong, 'POST /login (wrong password)');
    const again = await agent.get('/login');
    const right = await agent.post('/login').type('form').send({ _csrf: csrfFrom(again.text), username: 'rep2', password: 'demo1234' });
    expect(right.status).toBe(303);
    expectNoStore(right, 'POST /login');
    expectNoStore(await agent.get('/login'), 'GET /login when logged in');
  });

  it('leaves the static assets cacheable', async () => {
    const agent = await loginAs(t.app, 'rep1');
    for (const asset of ['/public/app.css', '/public/app.js', '/assets/bootstrap/css/bootstrap.min.css']) {
      const res = await agent.get(asset);
      expect(res.status, asset).toBe(200);
      expect(res.headers['cache-control'], asset).toMatch(/max-age=[1-9]/);
      expect(res.headers['cache-control'], asset).not.toMatch(/no-store/);
    }
  });
});
