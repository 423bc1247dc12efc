import bcrypt from 'bcrypt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { BCRYPT_COST, bcryptCostFor, hashPassword, verifyPassword } from '../src/auth/passwords.js';

// bcrypt's cost follows the configured NODE_ENV: 12 for real passwords, 4 only for the test suite.
const secret = { SESSION_SECRET: 'a'.repeat(32) };

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** The password module as a process with this NODE_ENV loads it. */
async function passwordsUnder(nodeEnv: string | undefined) {
  vi.stubEnv('NODE_ENV', nodeEnv);
  vi.resetModules();
  return import('../src/auth/passwords.js');
}

describe('the bcrypt cost', () => {
  it('is 12 for a production configuration', async () => {
    const config = loadConfig({ ...secret, NODE_ENV: 'production' });
    expect(bcryptCostFor(config.env)).toBe(12);
    expect(bcrypt.getRounds(await hashPassword('correct horse', bcryptCostFor(config.env)))).toBe(12);
    expect(bcryptCostFor(loadConfig(secret).env)).toBe(12);
  });

  it('is 12 in a production or development process, and when NODE_ENV is not set', async () => {
    for (const nodeEnv of ['production', 'development', undefined]) {
      const passwords = await passwordsUnder(nodeEnv);
      expect(passwords.BCRYPT_COST).toBe(12);
      expect(bcrypt.getRounds(await passwords.hashPassword('correct horse'))).toBe(12);
    }
  });

  it('is 4 in the test suite, and hashes of either cost verify', async () => {
    expect(bcryptCostFor(loadConfig({ ...secret, NODE_ENV: 'test' }).env)).toBe(4);
    expect(BCRYPT_COST).toBe(4);
    const testHash = await hashPassword('correct horse');
    expect(bcrypt.getRounds(testHash)).toBe(4);
    expect(await verifyPassword('correct horse', testHash)).toBe(true);
    expect(await verifyPassword('correct horse', await hashPassword('correct horse', 12))).toBe(true);
    expect(await verifyPassword('wrong horse', testHash)).toBe(false);
  });
});
