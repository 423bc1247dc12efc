import type { Knex } from 'knex';
import type mysql from 'mysql2/promise';
import type { Actor } from '../src/authz/actor.js';
import { ownerScope } from '../src/authz/data-scope.js';
import { customers } from '../src/features/customers/index.js';
import { listRecords, parseListQuery } from '../src/kernel/data/list-query.js';
import { myDayRepository } from '../src/features/my-day/my-day.repository.js';
import { numberSetting } from '../src/features/settings/settings.repository.js';
import { addDays, localToday, startOfLocalDay } from '../src/i18n/calendar.js';
import { withConnection, type Statement } from './floor.js';

// The seed article's two reference queries (/work/shared/seeds, "查看某销售员名下客户及最近跟进" and
// "查找长时间未跟进的客户"), written exactly as the article writes them with our names (interactions →
// followups, contact_date → occurred_at, notes → content), timed beside the SQL our pages answer the
// same question with: the rep's customer list (last contact read from customers.last_contact_at)
// and My day's "not contacted for N days" section for the whole company (the article's query is not
// per rep). Each is timed through mysql2, median of 3, and stopped at QUERY_TIMEOUT_S.
export const QUERY_TIMEOUT_S = 120;
const RUNS = 3;

export type Timing = { ms: number | null; rows: number; timedOut: boolean; error?: string };
export type ReferenceComparison = {
  question: string;
  seed: { sql: string } & Timing;
  ours: { page: string; statements: string[] } & Timing;
  /** seed / ours; null when either did not finish. */
  ratio: number | null;
};

const seedLatestFollowUp = (ownerId: number) => `SELECT 
  c.name AS customer_name,
  c.company,
  c.status,
  i.occurred_at,
  i.content
FROM customers c
LEFT JOIN followups i ON c.id = i.customer_id 
  AND i.id IN (
    SELECT MAX(id) FROM followups GROUP BY customer_id
  )
WHERE c.owner_id = ${ownerId};`;

const seedNotContacted = `SELECT 
  c.name,
  c.phone,
  MAX(i.occurred_at) AS last_contact
FROM customers c
LEFT JOIN followups i ON c.id = i.customer_id
GROUP BY c.id
HAVING last_contact < DATE_SUB(CURDATE(), INTERVAL 30 DAY) OR last_contact IS NULL;`;

/** The statements `call` issues, captured from Knex (a fresh actor, so its data scope is looked up too). */
async function capture(db: Knex, call: () => Promise<unknown>): Promise<Statement[]> {
  const statements: Statement[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) => statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listener);
  try {
    await call();
  } finally {
    db.off('query', listener);
  }
  return statements;
}

const isTimeout = (err: unknown) => {
  const e = err as { errno?: number; code?: string };
  // MariaDB's max_statement_time (1969), MySQL's max_execution_time (3024).
  return e.errno === 1969 || e.errno === 3024 || e.code === 'ER_STATEMENT_TIMEOUT' || e.code === 'ER_QUERY_TIMEOUT';
};

/** Median time of running the statements one after another; a timeout or error ends the runs. */
async function time(connection: mysql.Connection, statements: Statement[]): Promise<Timing> {
  const times: number[] = [];
  let rows = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    try {
      for (const s of statements) {
        const [result] = await connection.query(s.sql, s.bindings);
        if (Array.isArray(result)) rows = Math.max(rows, result.length);
      }
    } catch (err) {
      if (isTimeout(err)) return { ms: null, rows, timedOut: true };
      return { ms: null, rows, timedOut: false, error: err instanceof Error ? err.message : String(err) };
    }
    times.push(performance.now() - started);
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(times.length / 2)], rows, timedOut: false };
}

const asSql = (db: Knex, statements: Statement[]) => statements.map((s) => db.raw(s.sql, s.bindings as never[]).toString());

export async function compareReferenceQueries(db: Knex, url: string, rep: Actor, admin: Actor, log: (line: string) => void): Promise<ReferenceComparison[]> {
  const ourList = await capture(db, () => listRecords({ db, actor: { ...rep } }, customers, parseListQuery(customers.list!, {}, false)));
  const adminScope = await ownerScope(db, admin);
  const today = localToday(admin.timeZone);
  const cutoff = startOfLocalDay(addDays(today, -(await numberSetting(db, 'stale_customer_days'))), admin.timeZone);
  const ourStale = await capture(db, () => myDayRepository(db).staleCustomers(adminScope, cutoff));
  const questions = [
    { question: `a rep's customers with their latest follow-up (${rep.username})`, seed: seedLatestFollowUp(rep.id), page: `rep list /customers`, ours: ourList },
    { question: 'customers not contacted for 30 days (whole company)', seed: seedNotContacted, page: 'admin my day /?view=team, stale section', ours: ourStale },
  ];
  return withConnection(url, async (connection) => {
    const [[server]] = (await connection.query('select version() as version')) as unknown as [[{ version: string }]];
    await connection.query(
      /mariadb/i.test(server.version)
        ? `SET SESSION max_statement_time = ${QUERY_TIMEOUT_S}`
        : `SET SESSION max_execution_time = ${QUERY_TIMEOUT_S * 1000}`,
    );
    const results: ReferenceComparison[] = [];
    for (const q of questions) {
      log(`  timing the seed's "${q.question}"...`);
      const seed = await time(connection, [{ sql: q.seed, bindings: [] }]);
      const ours = await time(connection, q.ours);
      const ratio = seed.ms !== null && ours.ms !== null && ours.ms > 0 ? seed.ms / ours.ms : null;
      results.push({ question: q.question, seed: { sql: q.seed, ...seed }, ours: { page: q.page, statements: asSql(db, q.ours), ...ours }, ratio });
    }
    return results;
  });
}
