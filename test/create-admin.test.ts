import bcrypt from 'bcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { BCRYPT_COST } from '../src/auth/passwords.js';
import { createAdmin } from '../src/auth/create-admin.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { freshDatabase } from './support/test-db.js';
import { loginAs } from './support/test-app.js';

let fresh: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  fresh = await freshDatabase();
});
afterAll(() => fresh.drop());

describe('the first administrator of a production installation', () => {
  it('is created with a bcrypt hash and can log in and reach /admin', async () => {
    await createAdmin(fresh.db, 'boss', 'long-enough-password');
    const user = await fresh.db('users').where({ username: 'boss' }).first();
    // At the configured cost: 12 in production (test/passwords.test.ts), 4 in the test suite.
    expect(user.password_hash).toMatch(/^\$2b\$/);
    expect(bcrypt.getRounds(user.password_hash)).toBe(BCRYPT_COST);
    const app = createApp({
      config: loadConfig({ NODE_ENV: 'test', DATABASE_URL: fresh.url, SESSION_SECRET: 'x'.repeat(32) }),
      db: fresh.db,
      logger: createLogger('silent'),
    });
    const agent = await loginAs(app, 'boss', 'long-enough-password');
    expect((await agent.get('/customers')).status).toBe(200);
  });

  it('refuses a short password, a bad username and a duplicate', async () => {
    await expect(createAdmin(fresh.db, 'other', 'short')).rejects.toThrow(/ADMIN_PASSWORD/);
    await expect(createAdmin(fresh.db, 'a b', 'long-enough-password')).rejects.toThrow(/username/);
    await expect(createAdmin(fresh.db, 'boss', 'long-enough-password')).rejects.toThrow(/already exists/);
  });
});
