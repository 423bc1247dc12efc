import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeReturnPath } from '../src/shared/return-path.js';
import { createTestApp, csrfFrom, loginAs, postForm, type TestApp } from './support/test-app.js';

// Forms of "another site" that a browser follows from a Location header or a link: `/\` reads as
// `//`, tabs and newlines are dropped from URLs, and a scheme leaves the site outright.
const offSite = [
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/\\/evil.example',
  'https://evil.example',
  'http:evil.example',
  'HTTPS://evil.example/x',
  '//evil.example/%2F..',
  'javascript:alert(1)',
  ' javascript:alert(1)',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  '/%09/evil.example',
  '/%5Cevil.example',
  '/%5C%5Cevil.example',
  '/%2F/evil.example',
  '/%2f%2fevil.example',
  '/\u0000/evil.example',
  '/\u007f/evil.example',
  ' //evil.example',
  'evil.example',
  '.evil.example',
  '',
];

const onSite = ['/', '/customers', '/customers?q=abc&page=2', '/customers/12/edit', '/search?q=%E7%8E%8B', '/customers#notes'];

/** Where a browser on the CRM's own origin lands when it follows `location`. */
function landing(location: string): URL {
  return new URL(location, 'http://crm.test');
}

describe('safeReturnPath', () => {
  it.each(offSite)('sends %j home', (value) => {
    expect(safeReturnPath(value)).toBe('/');
  });

  it.each(onSite)('keeps the same-site path %j', (value) => {
    expect(safeReturnPath(value)).toBe(value);
  });

  it('sends anything but a string home', () => {
    for (const value of [undefined, null, 42, ['/customers'], { path: '/' }]) expect(safeReturnPath(value)).toBe('/');
  });
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ customers: 1 });
});
afterAll(() => t.close());

describe('redirects that take a target from the request stay on the site', () => {
  it('login: ?next= on the page and next= in the form', async () => {
    for (const value of offSite.filter((v) => v !== '')) {
      const agent = request.agent(t.app);
      const page = await agent.get('/login').query({ next: value });
      expect(page.status).toBe(200);
      expect(page.text).toContain('name="next" value="/"');
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), username: 'rep1', password: 'demo1234', next: value });
      expect(res.status).toBe(303);
      expect(res.headers.location, JSON.stringify(value)).toBe('/');
    }
  }, 120_000);

  it('login: a same-site next is followed', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login').query({ next: '/customers?q=abc' });
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: 'rep1', password: 'demo1234', next: '/customers?q=abc' });
    expect(landing(res.headers.location).href).toBe('http://crm.test/customers?q=abc');
  });

  it('language switch: return_to', async () => {
    const agent = await loginAs(t.app, 'rep1');
    for (const value of offSite) {
      const res = await postForm(agent, '/locale', { locale: 'en', return_to: value });
      expect(res.status).toBe(303);
      expect(landing(res.headers.location).origin, JSON.stringify(value)).toBe('http://crm.test');
      expect(res.headers.location, JSON.stringify(value)).toBe('/');
    }
    const home = await postForm(agent, '/locale', { locale: 'en', return_to: '/customers?q=abc' });
    expect(home.headers.location).toBe('/customers?q=abc');
  });
});
