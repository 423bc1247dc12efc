import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import { connectionConfig, MYSQL_SESSION_SETTINGS } from '../src/db/knex.js';
import type { ServedApp } from './serve.js';
import { percentile } from './stats.js';

// The floor: every SQL statement the app issues while serving one request of a page (session,
// actor, data scope, the page's own queries), captured from Knex and replayed straight through
// mysql2 on one connection, one statement after another. No HTTP, rendering or pool; and no
// overlap either, where the app runs a page's queries side by side (My day does).
export type Statement = { sql: string; bindings: unknown[] };
export type Floor = { p50: number; p95: number; statements: Statement[] };

/** Fetches `path` once as the cookie's user and returns the response's status and HTML. */
export async function fetchPage(app: ServedApp, cookie: string, path: string): Promise<{ status: number; html: string }> {
  const res = await fetch(app.baseUrl + path, { headers: { cookie, 'accept-language': 'zh-CN,zh;q=0.9' }, redirect: 'manual' });
  return { status: res.status, html: await res.text() };
}

/**
 * The statements of one request of `path`, after one warm-up request so per-instance caches are
 * as warm as in steady state. Nothing else may be using the app meanwhile.
 */
export async function captureStatements(db: Knex, app: ServedApp, cookie: string, path: string): Promise<Statement[]> {
  await fetchPage(app, cookie, path);
  await app.settled();
  const statements: Statement[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) => statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listener);
  try {
    await fetchPage(app, cookie, path);
    await app.settled();
  } finally {
    db.off('query', listener);
  }
  return statements;
}

/** Runs `body` with a mysql2 connection of its own, configured as the app's. */
export async function withConnection<T>(url: string, body: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(connectionConfig(url).connection as mysql.ConnectionOptions);
  try {
    await connection.query(MYSQL_SESSION_SETTINGS);
    return await body(connection);
  } finally {
    await connection.end();
  }
}

/** Replays the statements for about `seconds` (after a warm-up) and reports the time of one whole replay. */
export async function measureFloor(url: string, statements: Statement[], seconds = 2): Promise<Floor> {
  return withConnection(url, async (connection) => {
    const replay = async () => {
      for (const s of statements) await connection.query(s.sql, s.bindings);
    };
    // Warm-up: 20 replays, or 1 s when a replay is slow (a page whose SQL takes seconds).
    const warmUntil = performance.now() + 1000;
    for (let i = 0; i < 20 && performance.now() < warmUntil; i++) await replay();
    const times: number[] = [];
    const until = performance.now() + seconds * 1000;
    while ((performance.now() < until || times.length < 3) && times.length < 5_000) {
      const started = performance.now();
      await replay();
      times.push(performance.now() - started);
    }
    return { p50: percentile(times, 50), p95: percentile(times, 95), statements };
  });
}
