import type { Knex } from 'knex';
import { isMysql } from './schema-helpers.js';

// Small SQL pieces every repository needs, written once so both dialects get the same behaviour.

/** Inserts one row and returns its new id (mysql2 and better-sqlite3 both answer with [id]). */
export async function insertRow(trx: Knex, table: string, row: object): Promise<number> {
  const [id] = await trx(table).insert(row);
  return Number(id);
}

/**
 * A LIKE pattern with the user's own % and _ taken literally; use it with `like ? escape '!'`
 * (SQLite has no default escape character, so the clause always names one).
 */
export function likePattern(text: string, match: 'prefix' | 'contains'): string {
  const escaped = text.replace(/[!%_]/g, '!$&');
  return match === 'prefix' ? `${escaped}%` : `%${escaped}%`;
}

/**
 * How many rows a query has, counted no further than `limit`: the engine stops walking there, so a
 * list's "10,000+" costs at most that many index entries however many rows match.
 */
export async function countUpTo(db: Knex, query: Knex.QueryBuilder, limit: number): Promise<number> {
  const row = await db.from(query.select(db.raw('1')).limit(limit).as('capped')).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/**
 * The optimizer's estimate of the rows a single-table query reads: the `rows` of MySQL's EXPLAIN,
 * which for an index range is an index dive (about 0.3 ms at a million rows, where counting a few
 * thousand entries costs milliseconds). Undefined on SQLite, which keeps no such estimate.
 */
export async function estimatedRows(db: Knex, query: Knex.QueryBuilder): Promise<number | undefined> {
  if (!isMysql(db)) return undefined;
  const { sql, bindings } = query.toSQL();
  const [plan] = await db.raw(`explain ${sql}`, bindings);
  return Number(plan[0]?.rows ?? 0);
}

/**
 * One statement reading several queries' rows one after another: `select * from (q1) as part0
 * union all select * from (q2) as part1 …`. Each query keeps its own ORDER BY and LIMIT inside its
 * derived table (SQLite refuses them on the bare members of a UNION), so a page that needs a few
 * rows from each of several index ranges pays one round trip instead of one per range.
 */
export function unionAllOf(db: Knex, queries: Knex.QueryBuilder[]): Knex.QueryBuilder {
  const [first, ...rest] = queries.map((query, i) => db.select('*').from(query.as(`part${i}`)));
  return rest.length === 0 ? first : first.unionAll(rest);
}

/**
 * `table as alias`, read through `index` on MySQL/MariaDB (FORCE INDEX). For a walk whose index is
 * known to be the right one and whose WHERE holds a long IN list (a team's owners): the optimizer
 * otherwise weighs every value against every index of the table before it runs, which at a
 * million customers cost more than the walk itself (0.8 of a 1.5 ms statement). SQLite plans such
 * lists cheaply and gets the plain table.
 */
export function tableThroughIndex(db: Knex, table: string, alias: string, index: string): Knex.Raw | string {
  return isMysql(db) ? db.raw('?? as ?? force index (??)', [table, alias, index]) : `${table} as ${alias}`;
}
