import os from 'node:os';
import { parseArgs } from './args.js';
import { ensureBufferPool } from './buffer-pool.js';
import { drive } from './drive.js';
import { fillDatabase } from './fill-database.js';
import { captureStatements, fetchPage, measureFloor } from './floor.js';
import { BENCH_LOGINS } from './organisation.js';
import { actorByUsername, pagesFor, type BenchPage, type Role } from './pages.js';
import { compareReferenceQueries, QUERY_TIMEOUT_S, type ReferenceComparison } from './reference-queries.js';
import { latestBaseline, machine, referenceTable, table, verdict, writeResult, type BenchResult, type PageResult } from './report.js';
import { serveApp, type ServedApp } from './serve.js';

// `npm run bench -- <customers>`: fill (or reuse) a MySQL database, serve the app in this process on
// a loopback port, log in as a rep, a manager and the admin, and drive each page with autocannon.
const log = (line: string) => console.log(line);

/**
 * Fetches a page once before loading it: it must answer 200 with its marker. Returns the records it
 * lists, or why it is skipped: a page of a feature still being built (`page.feature`) that does not
 * answer yet is reported, not fatal; any other failure stops the run.
 */
async function checkPage(app: ServedApp, cookie: string, page: BenchPage): Promise<{ rows: number } | { skipped: string }> {
  const { status, html } = await fetchPage(app, cookie, page.path);
  const rows = html.match(page.rows)?.length ?? 0;
  const problem =
    status !== 200
      ? `answered ${status}`
      : !html.includes(page.marker)
        ? `does not show ${page.marker}`
        : rows === 0 && page.needsRows
          ? 'lists nothing'
          : undefined;
  if (!problem) return { rows };
  if (page.feature) return { skipped: `${page.feature} ${problem}: not finished yet?` };
  throw new Error(`${page.role} ${page.name} (${page.path}) ${problem}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg()[0];
  const { db, fillSeconds, tables } = await fillDatabase(args.url, args.customers, log);
  await ensureBufferPool(db, log);
  const [[database]] = (await db.raw('select version() as version, @@innodb_buffer_pool_size as pool')) as [
    [{ version: string; pool: number }],
  ];

  const app = await serveApp(db, args.url);
  const results: PageResult[] = [];
  let references: ReferenceComparison[] = [];
  try {
    for (const role of ['rep', 'manager', 'admin'] as Role[]) {
      const cookie = await app.logInAs(role);
      const actor = await actorByUsername(db, BENCH_LOGINS[role]);
      for (const page of await pagesFor(db, role, actor, args.customers)) {
        const described = { role: page.role, name: page.name, path: page.path };
        const checked = await checkPage(app, cookie, page);
        if ('skipped' in checked) {
          results.push({ ...described, skipped: checked.skipped });
          log(`${role.padEnd(7)} ${page.name.padEnd(13)} ${page.path.padEnd(40)} SKIPPED: ${checked.skipped}`);
          continue;
        }
        const floor = await measureFloor(args.url, await captureStatements(db, app, cookie, page.path));
        const target = { url: app.baseUrl + page.path, cookie, connections: args.connections, seconds: args.duration };
        const load = await drive(target, app.settled);
        results.push({ ...described, rows: checked.rows, load, floor: { ...floor, statements: floor.statements.length } });
        log(
          `${role.padEnd(7)} ${page.name.padEnd(13)} ${page.path.padEnd(40)} rows ${String(checked.rows).padStart(3)}  ` +
            `p50 ${load.p50.toFixed(1)} ms  p95 ${load.p95.toFixed(1)} ms  ${load.requestsPerSecond.toFixed(0)} req/s  ` +
            `floor p50 ${floor.p50.toFixed(2)} ms (${floor.statements.length} statements)`,
        );
      }
    }
    log('Reference queries:');
    const [rep, admin] = [await actorByUsername(db, BENCH_LOGINS.rep), await actorByUsername(db, BENCH_LOGINS.admin)];
    references = await compareReferenceQueries(db, args.url, rep, admin, log);
  } finally {
    app.close();
    await db.destroy();
  }

  const result: BenchResult = {
    startedAt,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    customers: args.customers,
    fillSeconds,
    fillTables: tables,
    connections: args.connections,
    seconds: args.duration,
    machine: machine(database.version, Number(database.pool), loadBefore),
    pages: results,
    referenceQueries: references,
  };
  const baseline = latestBaseline();
  const file = writeResult(result);
  log('');
  const { loadAverage } = result.machine;
  if (fillSeconds !== null) {
    log(`Filled in ${fillSeconds.toFixed(1)} s: ${tables.map((t) => `${t.table} ${t.rows.toLocaleString('en')} rows ${t.seconds.toFixed(1)} s`).join(', ')}`);
  }
  log(
    `${args.customers.toLocaleString('en')} customers, ${args.connections} connections, ${args.duration} s per page ` +
      `(latencies in ms; load average ${loadAverage.before.toFixed(1)} before, ${loadAverage.after.toFixed(1)} after, on ${result.machine.cpus} CPUs)`,
  );
  log(table(result, baseline));
  log('');
  log(`The seed's reference queries, median of 3 through mysql2 (timeout ${QUERY_TIMEOUT_S} s):`);
  log(referenceTable(references, QUERY_TIMEOUT_S));
  log('');
  for (const line of verdict(result, baseline)) log(line);
  log(`Written to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
