import bcrypt from 'bcrypt';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_FAILED_LOGINS } from '../src/auth/lockout.js';
import { csrfFrom, createTestApp, type TestApp } from './support/test-app.js';

// Login under a flood: the lockout counts each attempt before its password is compared, attempts are
// rate limited per IP and per username (counted in the database). The cap on bcrypt work in flight,
// which needs bcrypt at its production cost, is in login-flood.bcrypt.test.ts.
// Behind TRUST_PROXY each request names its own client address in X-Forwarded-For.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ customers: 2, env: { TRUST_PROXY: 'on' } });
});
afterAll(() => t.close());
afterEach(() => vi.restoreAllMocks());

type Compare = (plain: string, hash: string) => Promise<boolean>;
const realCompare = bcrypt.compare.bind(bcrypt) as Compare;

/** Watches every bcrypt compare the app makes: which passwords, and how many ran at once. */
function watchCompares() {
  const seen = { passwords: [] as string[], inFlight: 0, maxInFlight: 0 };
  vi.spyOn(bcrypt, 'compare').mockImplementation((async (plain: string, hash: string) => {
    seen.passwords.push(plain);
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    try {
      return await realCompare(plain, hash);
    } finally {
      seen.inFlight--;
    }
  }) as never);
  return seen;
}

let nextIp = 1;
/** A browser at its own address that has the login page open. */
async function browser(ip = `10.9.${Math.floor(nextIp / 250)}.${nextIp++ % 250}`, language = 'en') {
  const agent = request.agent(t.app);
  const page = await agent.get('/login').set('X-Forwarded-For', ip);
  const token = csrfFrom(page.text);
  return (username: string, password: string) =>
    agent
      .post('/login')
      .set('X-Forwarded-For', ip)
      .set('Accept-Language', language)
      .type('form')
      .send({ _csrf: token, username, password });
}

describe('forty wrong passwords at once', () => {
  it('compares at most the allowed number, locks the account, and refuses the right one sent after', async () => {
    const seen = watchCompares();
    const senders = await Promise.all(Array.from({ length: 40 }, () => browser()));
    const results = await Promise.all(senders.map((send) => send('manager2', 'wrong-password')));
    expect(results.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    expect(seen.passwords.filter((p) => p === 'wrong-password').length).toBeLessThanOrEqual(MAX_FAILED_LOGINS);
    const user = await t.db('users').where({ username: 'manager2' }).first();
    expect(user.locked_until).not.toBeNull();

    // More of the flood with the right password among it: nothing is compared while locked.
    const more = await Promise.all(Array.from({ length: 6 }, () => browser()));
    const [right, ...wrong] = await Promise.all(more.map((send, i) => send('manager2', i === 0 ? 'demo1234' : 'wrong-password')));
    expect(right.status).not.toBe(303);
    expect(wrong.every((r) => r.status !== 303)).toBe(true);
    expect(seen.passwords.filter((p) => p === 'demo1234')).toHaveLength(0);
    expect(seen.passwords.filter((p) => p === 'wrong-password').length).toBeLessThanOrEqual(MAX_FAILED_LOGINS);
  });
});

describe('rate limits on login attempts', () => {
  it('per IP: past the limit a 429 page in the user\'s language, the form kept, nothing compared', async () => {
    const send = await browser('10.20.0.1', 'zh-CN');
    let status = 0;
    let attempts = 0;
    let last: request.Response | undefined;
    while (status !== 429 && attempts < 60) {
      last = await send(`nobody${attempts++}`, 'whatever-1');
      status = last.status;
    }
    expect(status).toBe(429);
    expect(attempts).toBeGreaterThan(5);
    expect(attempts).toBeLessThan(60);
    expect(last!.text).toContain('登录尝试过多');
    expect(last!.text).toContain(`value="nobody${attempts - 1}"`);
    expect(last!.headers['retry-after']).toMatch(/^\d+$/);
    const seen = watchCompares();
    expect((await send('rep1', 'demo1234')).status).toBe(429);
    expect(seen.passwords).toHaveLength(0);
    // Another address is not affected.
    expect((await (await browser())('rep1', 'demo1234')).status).toBe(303);
  });

  it('does not count successful logins against their address (an office behind one address)', async () => {
    for (let i = 0; i < 25; i++) expect((await (await browser('10.30.0.1'))('rep1', 'demo1234')).status).toBe(303);
  });

  it('per username, whatever the IP: past the limit a 429 page in English, the form kept', async () => {
    let status = 0;
    let attempts = 0;
    let last: request.Response | undefined;
    while (status !== 429 && attempts < 40) {
      last = await (await browser())('rep3', 'wrong-password');
      attempts++;
      status = last.status;
    }
    expect(status).toBe(429);
    expect(attempts).toBeGreaterThan(MAX_FAILED_LOGINS);
    expect(last!.text).toContain('Too many login attempts');
    expect(last!.text).toContain('value="rep3"');
    // Another user from the same kind of fresh address still logs in.
    expect((await (await browser())('rep2', 'demo1234')).status).toBe(303);
    // The counts live in the database (shared by every app instance).
    expect(Number((await t.db('login_limits').count({ n: '*' }).first())!.n)).toBeGreaterThan(0);
  });
});
