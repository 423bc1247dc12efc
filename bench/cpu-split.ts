import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createDb } from '../src/db/knex.js';
import { DEFAULT_URL, takeOption } from './args.js';
import { run } from './drive.js';
import { BENCH_LOGINS } from './organisation.js';
import { actorByUsername, pagesFor, type Role } from './pages.js';
import { serveApp } from './serve.js';
import { percentile } from './stats.js';

// `npx tsx bench/cpu-split.ts [role] [page] [--url mysql://…] [--seconds N]`: for a database
// `npm run bench` has filled, drives each page as the bench does (16 connections) and splits the
// CPU one request costs between Node's main thread (routing, queries, rendering), its other threads
// (the garbage collector's helpers and autocannon's), MariaDB, and the whole machine. Under 16
// connections on two cores a page's latency follows what it costs the machine, so this is the
// number to lower, and it moves far less with the host's slow spells than p95 does. Linux only
// (/proc); MariaDB must run on this machine.

const args = process.argv.slice(2);
const option = (name: string) => takeOption(args, name);
const url = option('--url') ?? DEFAULT_URL;
const seconds = Number(option('--seconds') ?? 5);
const [onlyRole, onlyPage] = args;

/** CPU time so far, in clock ticks (1/100 s), of a process or thread from its /proc stat line. */
function ticks(statPath: string): number {
  const fields = readFileSync(statPath, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
function machine(): { all: number; idle: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return { all: fields.reduce((a, b) => a + b, 0), idle: fields[3] + fields[4] };
}
/** All of this process's threads, a finished autocannon thread included. */
const processTicks = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 10_000;
};
const mainThread = `/proc/self/task/${process.pid}/stat`;
const mariadb = `/proc/${execSync('pidof mariadbd').toString().trim().split(' ')[0]}/stat`;

const db = createDb(url);
const app = await serveApp(db, url);
try {
  const customers = Number((await db('customers').count({ n: '*' }).first())?.n ?? 0);
  console.log(`${customers.toLocaleString('en')} customers; CPU per request in ms (16 connections, ${seconds} s a page)`);
  console.log('| role | page | req/s | p50 ms | p95 ms | Node main | Node other | MariaDB | machine busy |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const role of (onlyRole ? [onlyRole] : Object.keys(BENCH_LOGINS)) as Role[]) {
    const cookie = await app.logInAs(role);
    for (const page of await pagesFor(db, role, await actorByUsername(db, BENCH_LOGINS[role]), customers)) {
      if (onlyPage && page.name !== onlyPage) continue;
      const target = { url: app.baseUrl + page.path, cookie, connections: 16, seconds: 1 };
      await run(target);
      await app.settled();
      const before = { process: processTicks(), main: ticks(mainThread), mariadb: ticks(mariadb), machine: machine() };
      const { times } = await run({ ...target, seconds });
      const after = { process: processTicks(), main: ticks(mainThread), mariadb: ticks(mariadb), machine: machine() };
      await app.settled();
      const perRequest = (t: number) => ((t * 10) / times.length).toFixed(2);
      const busy = after.machine.all - before.machine.all - (after.machine.idle - before.machine.idle);
      const main = after.main - before.main;
      console.log(
        `| ${role} | ${page.name} | ${(times.length / seconds).toFixed(0)} | ${percentile(times, 50).toFixed(0)} | ${percentile(times, 95).toFixed(0)} | ` +
          `${perRequest(main)} | ${perRequest(after.process - before.process - main)} | ${perRequest(after.mariadb - before.mariadb)} | ${perRequest(busy)} |`,
      );
    }
  }
} finally {
  app.close();
  await db.destroy();
}
