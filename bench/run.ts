import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Knex } from 'knex';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { parseArgs } from './args.js';
import { ensureBufferPool } from './buffer-pool.js';
import { drive } from './drive.js';
import { fillDatabase } from './fill-database.js';
import { captureStatements, measureFloor } from './floor.js';
import { logIn } from './login.js';
import { BENCH_PASSWORD } from './organisation.js';
import { actorByUsername, pagesFor, type BenchPage, type Role } from './pages.js';
import { latestBaseline, machine, table, verdict, writeResult, type BenchResult, type PageResult } from './report.js';

// `npm run bench -- <customers>`: fill (or reuse) a MySQL database, serve the app in this process on
// a loopback port, log in as a rep, a manager and the admin, and drive each customer page with autocannon.
const log = (line: string) => console.log(line);

/**
 * autocannon stops at its deadline with requests still being served; waits until the app's pool is
 * idle, so one page's tail does not run into the next page's measurement (or into shutdown).
 */
async function settled(db: Knex): Promise<void> {
  const pool = db.client.pool as { numUsed(): number; numPendingAcquires(): number };
  for (let quietFor = 0; quietFor < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    quietFor = pool.numUsed() + pool.numPendingAcquires() === 0 ? quietFor + 1 : 0;
  }
}

/** Fetches a page once before loading it: it must answer 200 with the content it is meant to show. */
async function checkPage(baseUrl: string, cookie: string, page: BenchPage): Promise<number> {
  const res = await fetch(baseUrl + page.path, { headers: { cookie }, redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${page.role} ${page.name} (${page.path}) answered ${res.status}`);
  if (page.name === 'customer') {
    if (!html.includes('data-test="customer-name"')) throw new Error(`${page.path} does not show a customer`);
    return 1;
  }
  if (!html.includes('data-test="customer-table"')) throw new Error(`${page.path} does not show the customer list`);
  const rows = html.match(/<a href="\/customers\/\d+">/g)?.length ?? 0;
  if (rows === 0 && page.name.startsWith('search')) throw new Error(`${page.role} ${page.name} (${page.path}) found nothing`);
  return rows;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg()[0];
  const { db, organisation, fillSeconds } = await fillDatabase(args.url, args.customers, log);
  await ensureBufferPool(db, log);
  const [[database]] = (await db.raw('select version() as version, @@innodb_buffer_pool_size as pool')) as [
    [{ version: string; pool: number }],
  ];

  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: args.url,
    SESSION_SECRET: 'bench-session-secret-not-for-production',
    LOG_LEVEL: 'silent',
  });
  const app = createApp({ config, db, logger: createLogger('silent') });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const results: PageResult[] = [];
  try {
    for (const role of ['rep', 'manager', 'admin'] as Role[]) {
      const username = organisation.logins[role];
      const cookie = await logIn(baseUrl, username, BENCH_PASSWORD);
      const actor = await actorByUsername(db, username);
      for (const page of await pagesFor(db, role, actor, args.customers)) {
        const rows = await checkPage(baseUrl, cookie, page);
        const floor = await measureFloor(args.url, await captureStatements(db, actor, page.path));
        const target = { url: baseUrl + page.path, cookie, connections: args.connections, seconds: args.duration };
        const load = await drive(target, () => settled(db));
        results.push({ ...page, rows, load, floor: { ...floor, statements: floor.statements.length } });
        log(
          `${role.padEnd(7)} ${page.name.padEnd(13)} ${page.path.padEnd(40)} rows ${String(rows).padStart(3)}  ` +
            `p50 ${load.p50.toFixed(1)} ms  p95 ${load.p95.toFixed(1)} ms  ${load.requestsPerSecond.toFixed(0)} req/s  ` +
            `floor p50 ${floor.p50.toFixed(2)} ms`,
        );
      }
    }
  } finally {
    server.closeAllConnections();
    server.close();
    await db.destroy();
  }

  const result: BenchResult = {
    startedAt,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    customers: args.customers,
    fillSeconds,
    connections: args.connections,
    seconds: args.duration,
    machine: machine(database.version, Number(database.pool), loadBefore),
    pages: results,
  };
  const baseline = latestBaseline();
  const file = writeResult(result);
  log('');
  const { loadAverage } = result.machine;
  log(
    `${args.customers.toLocaleString('en')} customers, ${args.connections} connections, ${args.duration} s per page ` +
      `(latencies in ms; load average ${loadAverage.before.toFixed(1)} before, ${loadAverage.after.toFixed(1)} after, on ${result.machine.cpus} CPUs)`,
  );
  log(table(result, baseline));
  log('');
  for (const line of verdict(result, baseline)) log(line);
  log(`Written to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
