import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { markShuttingDown } from '../src/features/health/shutting-down.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// The whole shutdown, signal to exit, is proved on the real process in server-process.test.ts.
describe('the shutdown settings (SHUTDOWN_GRACE_MS, SHUTDOWN_TIMEOUT_MS)', () => {
  const secret = { SESSION_SECRET: 'a'.repeat(32) };

  it('is a few seconds in production and none elsewhere unless set', () => {
    expect(loadConfig({ ...secret, NODE_ENV: 'production' }).shutdownGraceMs).toBe(5000);
    expect(loadConfig({ ...secret, NODE_ENV: 'development' }).shutdownGraceMs).toBe(0);
    expect(loadConfig({ ...secret, NODE_ENV: 'test' }).shutdownGraceMs).toBe(0);
    expect(loadConfig({ ...secret, NODE_ENV: 'production', SHUTDOWN_GRACE_MS: '0' }).shutdownGraceMs).toBe(0);
    expect(loadConfig({ ...secret, SHUTDOWN_GRACE_MS: '300' }).shutdownGraceMs).toBe(300);
  });

  it('leaves the requests in flight 10 s after the grace unless SHUTDOWN_TIMEOUT_MS says otherwise', () => {
    expect(loadConfig(secret).shutdownTimeoutMs).toBe(10_000);
    expect(loadConfig({ ...secret, SHUTDOWN_TIMEOUT_MS: '30000' }).shutdownTimeoutMs).toBe(30_000);
    expect(() => loadConfig({ ...secret, SHUTDOWN_TIMEOUT_MS: '0' })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
  });

  it('stops the start on a bad value, naming the variable', () => {
    for (const value of ['soon', '-1', '1.5', '999999']) {
      expect(() => loadConfig({ ...secret, SHUTDOWN_GRACE_MS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ...secret, SHUTDOWN_GRACE_MS: value })).toThrow(/SHUTDOWN_GRACE_MS/);
    }
  });
});

describe('readiness while shutting down', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ customers: 1 });
  });
  afterAll(() => t.close());

  it('/readyz answers 503 once the shutdown began, while the pages are still served', async () => {
    expect((await request(t.app).get('/readyz')).status).toBe(200);
    markShuttingDown(t.app);
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('shutting down');
    expect((await request(t.app).get('/healthz')).status).toBe(200);
    expect((await request(t.app).get('/login')).status).toBe(200);
  });
});
