import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import type { Actor } from '../src/authz/actor.js';
import { connectionConfig } from '../src/db/knex.js';
import { customerRepository } from '../src/features/customers/customers.repository.js';
import { customerListQuery } from '../src/features/customers/customers.schema.js';
import { parsePage } from '../src/shared/pagination.js';
import { percentile } from './stats.js';

// The floor: the SQL the customer repository issues for a page, captured from Knex and replayed
// straight through mysql2 on one connection, one request at a time. No HTTP, session, rendering or pool.
export type Statement = { sql: string; bindings: unknown[] };
export type Floor = { p50: number; p95: number; statements: Statement[] };

/** Calls the repository exactly as the customer controller does for this path. */
function repositoryCall(db: Knex, actor: Actor, path: string): () => Promise<unknown> {
  const url = new URL(path, 'http://bench');
  const repo = customerRepository(db);
  const show = /^\/customers\/(\d+)$/.exec(url.pathname);
  if (show) return () => repo.findById(actor, Number(show[1]), { includeDeleted: actor.permissions.has('customers.restore') });
  const query = Object.fromEntries(url.searchParams);
  return () => repo.list(actor, customerListQuery.parse(query), parsePage(query));
}

export async function captureStatements(db: Knex, actor: Actor, path: string): Promise<Statement[]> {
  const statements: Statement[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) => statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listener);
  try {
    // A fresh copy, as each request loads its own actor: the data-scope queries (kept per actor
    // object, see src/authz/data-scope.ts) are captured too.
    await repositoryCall(db, { ...actor }, path)();
  } finally {
    db.off('query', listener);
  }
  return statements;
}

/** Replays the statements for about `seconds` (after a warm-up) and reports the time of one whole replay. */
export async function measureFloor(url: string, statements: Statement[], seconds = 2): Promise<Floor> {
  const connection = await mysql.createConnection(connectionConfig(url).connection as mysql.ConnectionOptions);
  const replay = async () => {
    for (const s of statements) await connection.query(s.sql, s.bindings);
  };
  try {
    for (let i = 0; i < 20; i++) await replay();
    const times: number[] = [];
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until && times.length < 5_000) {
      const started = performance.now();
      await replay();
      times.push(performance.now() - started);
    }
    return { p50: percentile(times, 50), p95: percentile(times, 95), statements };
  } finally {
    await connection.end();
  }
}
