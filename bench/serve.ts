import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { logIn } from './login.js';
import { BENCH_LOGINS, BENCH_PASSWORD } from './organisation.js';
import type { Role } from './pages.js';

// The app served in this process on a loopback port, as `npm run bench` and bench/explain.ts use it.
export type ServedApp = {
  baseUrl: string;
  /** The session cookie of a fresh log-in as the benchmark's account for `role`. */
  logInAs(role: Role): Promise<string>;
  /** Waits until the app's pool is idle: no request still running a query. */
  settled(): Promise<void>;
  close(): void;
};

/**
 * autocannon stops at its deadline with requests still being served; waiting until the pool is
 * idle keeps one page's tail out of the next page's measurement (or out of shutdown), and lets a
 * capture see the queries a response issues after it is sent (the session store's).
 */
async function settled(db: Knex): Promise<void> {
  const pool = db.client.pool as { numUsed(): number; numPendingAcquires(): number };
  for (let quietFor = 0; quietFor < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    quietFor = pool.numUsed() + pool.numPendingAcquires() === 0 ? quietFor + 1 : 0;
  }
}

export async function serveApp(db: Knex, url: string): Promise<ServedApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    SESSION_SECRET: 'bench-session-secret-not-for-production',
    LOG_LEVEL: 'silent',
  });
  const app = createApp({ config, db, logger: createLogger('silent') });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    logInAs: (role) => logIn(baseUrl, BENCH_LOGINS[role], BENCH_PASSWORD),
    settled: () => settled(db),
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
