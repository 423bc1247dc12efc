import { createDb } from '../src/db/knex.js';
import { DEFAULT_URL } from './args.js';
import { captureStatements } from './floor.js';
import { BENCH_LOGINS } from './organisation.js';
import { actorByUsername, pagesFor, type Role } from './pages.js';

// `npx tsx bench/explain.ts [mysql://.../crm_bench]`: for a database `npm run bench` has filled, the
// customer SQL of every benchmarked page with its median time and MySQL's plan. The tool for tuning indexes.
const url = process.argv[2] ?? DEFAULT_URL;
const db = createDb(url);

async function medianMs(sql: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    await db.raw(sql);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[3];
}

try {
  const customers = Number((await db('customers').count({ n: '*' }).first())?.n ?? 0);
  console.log(`${customers.toLocaleString('en')} customers in ${url.replace(/\/\/[^@]*@/, '//')}`);
  for (const role of Object.keys(BENCH_LOGINS) as Role[]) {
    const actor = await actorByUsername(db, BENCH_LOGINS[role]);
    for (const page of await pagesFor(db, role, actor, customers)) {
      console.log(`\n## ${role} ${page.name}: ${page.path}`);
      for (const statement of await captureStatements(db, actor, page.path)) {
        const sql = db.raw(statement.sql, statement.bindings as never[]).toString();
        console.log(`\n${(await medianMs(sql)).toFixed(2)} ms  ${sql}`);
        if (!/\bcustomers\b/.test(sql)) continue;
        const [plan] = (await db.raw(`EXPLAIN ${sql}`)) as [Array<Record<string, unknown>>];
        for (const step of plan) {
          const key = step.key ? `${step.key} (${step.key_len})` : '-';
          console.log(`  ${step.id} ${step.select_type} ${step.table} ${step.type} key=${key} rows=${step.rows} ${step.Extra ?? ''}`);
        }
      }
    }
  }
} finally {
  await db.destroy();
}
