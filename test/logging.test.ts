import type { Express } from 'express';
import request, { type Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, SESSION_COOKIE } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { createTestApp, csrfFrom, type TestApp } from './support/test-app.js';

// The real logger at the production level writes into memory; the app around it is the real one.
let t: TestApp;
let app: Express;
const lines: string[] = [];
beforeAll(async () => {
  t = await createTestApp({ customers: 1 });
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  app = createApp({ config: t.config, db: t.db, logger });
});
afterAll(() => t.close());

/** Every cookie value the responses set, raw (URL-encoded) and decoded, and the session id inside. */
function cookieSecrets(responses: Response[]): string[] {
  const secrets: string[] = [];
  for (const res of responses) {
    const header = res.headers['set-cookie'] as string[] | string | undefined;
    for (const cookie of Array.isArray(header) ? header : header ? [header] : []) {
      const value = cookie.split(';')[0].slice(cookie.indexOf('=') + 1);
      if (value.length < 8) continue; // a language cookie ("en") is no secret
      const plain = decodeURIComponent(value);
      secrets.push(value, plain);
      if (cookie.startsWith(`${SESSION_COOKIE}=`)) secrets.push(plain.slice(2, plain.indexOf('.')));
    }
  }
  return secrets;
}

describe('the request log', () => {
  it('keeps cookies, credentials and passwords out of every line of a login and a page view', async () => {
    const bearer = 'Bearer the-api-token-that-must-not-be-logged';
    const agent = request.agent(app);
    const page = await agent.get('/login').set('Authorization', bearer);
    const login = await agent
      .post('/login')
      .type('form')
      .set('Authorization', bearer)
      .send({ _csrf: csrfFrom(page.text), username: 'rep1', password: 'demo1234' });
    expect(login.status).toBe(303);
    const customers = await agent.get('/customers').set('Authorization', bearer);
    expect(customers.status).toBe(200);

    const other = request.agent(app);
    const otherPage = await other.get('/login');
    const wrong = await other
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(otherPage.text), username: 'rep2', password: 'a-wrong-password' });
    expect(wrong.status).toBe(401);

    // Each request is still logged, with its method, path and status.
    const entries = lines.map((line) => JSON.parse(line) as { msg?: string; req?: { method: string; url: string }; res?: { statusCode: number } });
    const completed = entries.filter((e) => e.msg === 'request completed').map((e) => `${e.req?.method} ${e.req?.url} ${e.res?.statusCode}`);
    expect(completed).toEqual(['GET /login 200', 'POST /login 303', 'GET /customers 200', 'GET /login 200', 'POST /login 401']);

    const secrets = cookieSecrets([page, login, customers, otherPage, wrong]);
    expect(secrets.length).toBeGreaterThan(0);
    const log = lines.join('');
    for (const secret of [...secrets, 'demo1234', 'a-wrong-password', 'the-api-token-that-must-not-be-logged']) {
      expect(log).not.toContain(secret);
    }
  });
});
