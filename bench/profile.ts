import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createDb } from '../src/db/knex.js';
import { DEFAULT_URL, takeOption } from './args.js';
import { run } from './drive.js';
import { BENCH_LOGINS } from './organisation.js';
import { actorByUsername, pagesFor, type Role } from './pages.js';
import { serveApp } from './serve.js';

// `npx tsx bench/profile.ts role page [--url mysql://…] [--seconds N] [--top N]`: drives one page as
// the bench does (16 connections) with V8's sampling profiler on the app's thread, then prints where
// that thread's time went: by self time per function and per package (our src/, each node_modules
// package, Node's internals), and writes the .cpuprofile (for Chrome's DevTools) to /tmp. The load
// runs on autocannon's own thread, which the profile does not see. cpu-split.ts says how much the
// main thread costs a request; this says what in it.

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const args = process.argv.slice(2);
const option = (name: string) => takeOption(args, name);
const url = option('--url') ?? DEFAULT_URL;
const seconds = Number(option('--seconds') ?? 5);
const top = Number(option('--top') ?? 30);
const [role, pageName] = args as [Role, string];
if (!role || !pageName) throw new Error('usage: npx tsx bench/profile.ts <rep|manager|admin> <page name, e.g. board>');

/** Where a function lives: a package, our own source, or Node itself. */
function owner(fileUrl: string): string {
  if (!fileUrl) return '(native / idle / gc)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(fileUrl);
  if (pkg) return pkg[1];
  if (fileUrl.startsWith('node:')) return 'node internals';
  const own = /\/(src|views|bench)\/(.*)$/.exec(fileUrl);
  return own ? `${own[1]}/${own[2].split('/').slice(0, 2).join('/')}` : fileUrl;
}

function report(profile: Profile, requests: number): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const sum = (key: (n: Node) => string) => {
    const out = new Map<string, number>();
    for (const [id, us] of self) {
      const k = key(byId.get(id)!);
      out.set(k, (out.get(k) ?? 0) + us);
    }
    return [...out.entries()].sort((a, b) => b[1] - a[1]);
  };
  const line = (label: string, us: number) =>
    `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000 / requests).toFixed(3).padStart(6)} ms/req  ${label}`;
  const idle = sum((n) => n.callFrame.functionName).find(([name]) => name === '(idle)')?.[1] ?? 0;
  console.log(`${requests} requests; ${(total / 1000).toFixed(0)} ms sampled, ${(idle / 1000).toFixed(0)} ms idle`);
  console.log('\nBy package:');
  for (const [k, us] of sum((n) => (n.callFrame.functionName === '(idle)' ? '(idle)' : owner(n.callFrame.url))).slice(0, top)) console.log(line(k, us));
  console.log('\nBy function (self time):');
  for (const [k, us] of sum((n) => `${n.callFrame.functionName || '(anonymous)'}  ${owner(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`).slice(0, top))
    console.log(line(k, us));
}

const db = createDb(url);
const app = await serveApp(db, url);
const session = new Session();
try {
  const customers = Number((await db('customers').count({ n: '*' }).first())?.n ?? 0);
  const cookie = await app.logInAs(role);
  const page = (await pagesFor(db, role, await actorByUsername(db, BENCH_LOGINS[role]), customers)).find((p) => p.name === pageName);
  if (!page) throw new Error(`no page "${pageName}"`);
  const target = { url: app.baseUrl + page.path, cookie, connections: 16, seconds: 1 };
  await run(target);
  await app.settled();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const { times } = await run({ ...target, seconds });
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  await app.settled();
  const file = `/tmp/${role}-${pageName.replace(/ /g, '-')}.cpuprofile`;
  writeFileSync(file, JSON.stringify(profile));
  console.log(`${role} ${pageName} ${page.path}: ${(times.length / seconds).toFixed(0)} req/s; profile in ${file}`);
  report(profile, times.length);
} finally {
  session.disconnect();
  app.close();
  await db.destroy();
}
