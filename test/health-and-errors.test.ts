import { createHmac } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, SESSION_COOKIE } from '../src/app.js';
import { createDb } from '../src/db/knex.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createTestApp, loginAs, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('health', () => {
  it('/healthz answers while the process is up', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('/readyz answers 200 when the database is reachable', async () => {
    expect((await request(t.app).get('/readyz')).status).toBe(200);
  });

  it('/readyz answers 503 when the database is not', async () => {
    const db = createDb('mysql://root@127.0.0.1:1/nowhere');
    const config = loadConfig({ NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(32), DATABASE_URL: 'sqlite::memory:' });
    const app = createApp({ config, db, logger: createLogger('silent') });
    expect((await request(app).get('/readyz')).status).toBe(503);
    await db.destroy().catch(() => undefined);
  });
});

describe('error pages', () => {
  it('404 in the user\'s language', async () => {
    const zh = await request(t.app).get('/no-such-page').set('Accept-Language', 'zh-CN');
    expect(zh.status).toBe(404);
    expect(zh.text).toContain('找不到该页面或记录');
    const en = await request(t.app).get('/no-such-page').set('Accept-Language', 'en');
    expect(en.text).toContain('That page or record does not exist.');
  });

  it('403 for a page the role may not use', async () => {
    const rep = await loginAs(t.app, 'rep1');
    const res = await rep.post('/customers/1/restore').type('form').send({ _csrf: rep.csrf });
    expect(res.status).toBe(403);
    expect(res.text).toContain('data-test="error-message"');
  });

  it('500 with a stack trace only outside production', async () => {
    const db = createDb('sqlite::memory:');
    const make = (env: 'test' | 'production') =>
      createApp({
        config: loadConfig({ NODE_ENV: env, SESSION_SECRET: 'x'.repeat(32), DATABASE_URL: 'sqlite::memory:' }),
        db,
        logger: createLogger('silent'),
      });
    // No tables in this database, so reading the session fails: a genuine server error.
    const sid = 'abc';
    const signed = `s:${sid}.${createHmac('sha256', 'x'.repeat(32)).update(sid).digest('base64').replace(/=+$/, '')}`;
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent(signed)}`;
    const dev = await request(make('test')).get('/login').set('Cookie', cookie);
    expect(dev.status).toBe(500);
    expect(dev.text).toContain('<pre');
    const prod = await request(make('production')).get('/login').set('Cookie', cookie);
    expect(prod.status).toBe(500);
    expect(prod.text).not.toContain('<pre');
    expect(prod.text).toContain('服务器出错了');
    await db.destroy();
  });
});

describe('security headers', () => {
  it('sends a CSP and no x-powered-by', async () => {
    const res = await request(t.app).get('/login');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('serves Bootstrap locally (no CDN)', async () => {
    const res = await request(t.app).get('/assets/bootstrap/css/bootstrap.min.css');
    expect(res.status).toBe(200);
    expect((await request(t.app).get('/login')).text).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
  });
});
