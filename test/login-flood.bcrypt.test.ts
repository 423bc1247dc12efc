import bcrypt from 'bcrypt';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BCRYPT_COST, COMPARES_AT_ONCE, PRODUCTION_BCRYPT_COST } from '../src/auth/passwords.js';
import { csrfFrom, createTestApp, type TestApp } from './support/test-app.js';

// A flood of logins for made-up usernames: each costs a bcrypt compare (so that response time does
// not tell which names exist), and only a few compares may run at once, with a short queue; past it
// a login is turned away at once with 503. Behind TRUST_PROXY each login names its own address, so
// the per-address limit does not stop the flood first.
//
// This file asks for bcrypt at its production cost (the suite runs at the test cost, where a compare
// takes a millisecond): the cap is tested as it works in production, each compare holding its place
// for a quarter of a second. The password module fixes its cost when it loads, so NODE_ENV says
// production only while the imports above load (vi.hoisted runs before them).
vi.hoisted(() => vi.stubEnv('NODE_ENV', 'production'));
vi.unstubAllEnvs();

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ customers: 2, env: { TRUST_PROXY: 'on' } });
});
afterAll(() => t.close());
afterEach(() => vi.restoreAllMocks());

let nextIp = 1;
/** A browser at its own address that has the login page open. */
async function browser() {
  const ip = `10.9.0.${nextIp++}`;
  const agent = request.agent(t.app);
  const token = csrfFrom((await agent.get('/login').set('X-Forwarded-For', ip)).text);
  return (username: string, password: string) =>
    agent.post('/login').set('X-Forwarded-For', ip).set('Accept-Language', 'en').type('form').send({ _csrf: token, username, password });
}

describe('bcrypt work in flight', () => {
  it('runs only a few compares at once and turns the overflow away at once with 503; a real user gets in after', async () => {
    expect(BCRYPT_COST).toBe(PRODUCTION_BCRYPT_COST);
    // The first made-up name hashes the stand-in password the others are compared with: done before
    // the flood, or the flood would wait for that hash and arrive at the compares all at once.
    expect((await (await browser())('nobody', 'whatever-1')).status).toBe(401);
    const realCompare = bcrypt.compare.bind(bcrypt) as (plain: string, hash: string) => Promise<boolean>;
    const seen = { inFlight: 0, maxInFlight: 0 };
    vi.spyOn(bcrypt, 'compare').mockImplementation((async (plain: string, hash: string) => {
      seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
      try {
        return await realCompare(plain, hash);
      } finally {
        seen.inFlight--;
      }
    }) as never);

    const senders = await Promise.all(Array.from({ length: 40 }, () => browser()));
    const started = Date.now();
    const results = await Promise.all(senders.map((send, i) => send(`flood${i}`, 'whatever-1')));
    const statuses = results.map((r) => r.status);
    expect(seen.maxInFlight).toBeLessThanOrEqual(COMPARES_AT_ONCE);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    const busy = results.find((r) => r.status === 503)!;
    expect(busy.text).toContain('busy');
    expect(busy.text).toMatch(/value="flood\d+"/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await (await browser())('rep1', 'demo1234')).status).toBe(303);
  });
});
