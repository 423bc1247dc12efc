import type { Knex } from 'knex';

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
