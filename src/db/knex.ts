import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { fromRoot } from '../paths.js';

export type Db = Knex;
export type Dialect = 'mysql' | 'sqlite';

export function dialectOf(url: string): Dialect {
  return url.startsWith('mysql://') ? 'mysql' : 'sqlite';
}

function sqlitePath(url: string): string {
  const file = url.slice('sqlite:'.length);
  if (file === ':memory:') return file;
  return path.isAbsolute(file) ? file : fromRoot(file);
}

/**
 * Set on every MySQL/MariaDB connection the app opens. A manager's scope is a list of owners
 * (`owner_id IN (…40 ids…)`); below this many values the optimizer "dives" into every index that
 * starts with owner_id once per value to estimate rows, which cost more than running the query
 * (a board column's 1.6 ms statement took 0.5 ms without them at a million customers). Past it the
 * optimizer uses the index statistics instead; the plans the pages need are the same either way
 * (checked with EXPLAIN for every benchmarked page). A rep's single owner is still estimated exactly.
 */
export const EQ_RANGE_INDEX_DIVE_LIMIT = 10;
export const MYSQL_SESSION_SETTINGS = `SET SESSION eq_range_index_dive_limit = ${EQ_RANGE_INDEX_DIVE_LIMIT}`;

type MysqlConnection = { query(sql: string, callback: (err: Error | null) => void): void };

// Every dialect difference of the connection lives here: the rest of the code sees strings for
// dates ("YYYY-MM-DD HH:MM:SS", UTC) and for DECIMAL money, and enforced foreign keys, everywhere.
export function connectionConfig(url: string): Knex.Config {
  if (dialectOf(url) === 'mysql') {
    return {
      client: 'mysql2',
      connection: {
        uri: url,
        charset: 'utf8mb4',
        timezone: 'Z',
        dateStrings: true,
        decimalNumbers: false,
        supportBigNumbers: true,
      } as Knex.MySql2ConnectionConfig,
      pool: {
        min: 0,
        max: 10,
        afterCreate(conn: MysqlConnection, done: (err: Error | null, conn: unknown) => void) {
          conn.query(MYSQL_SESSION_SETTINGS, (err) => done(err, conn));
        },
      },
    };
  }
  const filename = sqlitePath(url);
  if (filename !== ':memory:') mkdirSync(path.dirname(filename), { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('foreign_keys = ON');
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        done(null, conn);
      },
    },
  };
}

export function createDb(url: string): Db {
  return knex(connectionConfig(url));
}

/** MySQL only: create the database named in the URL when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  if (dialectOf(url) !== 'mysql') return;
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unsupported database name "${name}"`);
  parsed.pathname = '/';
  const server = knex({ client: 'mysql2', connection: { uri: parsed.toString() } as Knex.MySql2ConnectionConfig });
  try {
    await server.raw(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await server.destroy();
  }
}
