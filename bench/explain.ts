import { createDb } from '../src/db/knex.js';
import { DEFAULT_URL } from './args.js';
import { captureStatements } from './floor.js';
import { BENCH_LOGINS } from './organisation.js';
import { actorByUsername, pagesFor, type Role } from './pages.js';
import { serveApp } from './serve.js';

// `npx tsx bench/explain.ts [mysql://.../crm_bench] [page name | /path]`: for a database `npm run bench`
// has filled, every SQL statement each benchmarked page issues (served by the app, as the floor
// captures them), with its median time and, for the statements that read the sales tables, MySQL's
// plan. A path instead of a page name (`'/customers?q=北京'`) is fetched as each of the three roles.
// The tool for tuning indexes.
const url = process.argv[2] || DEFAULT_URL;
const only = process.argv[3];
const db = createDb(url);
const SALES_TABLES = /\b(customers|followups|opportunities|opportunity_stage_history|contacts|contracts|contract_events|payment_plans)\b/;

async function medianMs(sql: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    await db.raw(sql);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[3];
}

const app = await serveApp(db, url);
try {
  const customers = Number((await db('customers').count({ n: '*' }).first())?.n ?? 0);
  console.log(`${customers.toLocaleString('en')} customers in ${url.replace(/\/\/[^@]*@/, '//')}`);
  for (const role of Object.keys(BENCH_LOGINS) as Role[]) {
    const cookie = await app.logInAs(role);
    const actor = await actorByUsername(db, BENCH_LOGINS[role]);
    const pages = only?.startsWith('/') ? [{ name: only, path: encodeURI(only) }] : await pagesFor(db, role, actor, customers);
    for (const page of pages) {
      if (only && page.name !== only) continue;
      console.log(`\n## ${role} ${page.name}: ${page.path}`);
      for (const statement of await captureStatements(db, app, cookie, page.path)) {
        const sql = db.raw(statement.sql, statement.bindings as never[]).toString();
        if (!/^\s*(select|with|explain)\b/i.test(sql)) {
          console.log(`\n(not replayed) ${sql}`);
          continue;
        }
        console.log(`\n${(await medianMs(sql)).toFixed(2)} ms  ${sql}`);
        if (!SALES_TABLES.test(sql) || /^\s*explain\b/i.test(sql)) continue;
        const [plan] = (await db.raw(`EXPLAIN ${sql}`)) as [Array<Record<string, unknown>>];
        for (const step of plan) {
          const key = step.key ? `${step.key} (${step.key_len})` : '-';
          console.log(`  ${step.id} ${step.select_type} ${step.table} ${step.type} key=${key} rows=${step.rows} ${step.Extra ?? ''}`);
        }
      }
    }
  }
} finally {
  app.close();
  await db.destroy();
}
