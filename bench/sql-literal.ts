import mysql from 'mysql2';
import { toDbTime } from '../src/db/time.js';

// Values written straight into a multi-row INSERT's text: much faster than bindings for millions
// of rows, and safe because every string goes through mysql.escape.
export type LiteralKind = 'text' | 'time' | 'number';

/** A value as SQL: a string quoted and escaped, a time (ms) as 'YYYY-MM-DD HH:MM:SS' (UTC), null as NULL. */
export function sqlLiteral(value: string | number | null, kind: LiteralKind = 'text'): string {
  if (value === null) return 'NULL';
  if (kind === 'time') return `'${toDbTime(new Date(value))}'`;
  return kind === 'number' ? String(value) : mysql.escape(value);
}

/**
 * A row object as a values tuple in `columns` order. Strings from the generators' small word lists
 * repeat millions of times, so their escaped forms are kept; times already formatted as
 * 'YYYY-MM-DD HH:MM:SS' strings need no escaping.
 */
export function rowLiteral(row: Record<string, unknown>, columns: ReadonlyArray<readonly [string, 'text' | 'dbtime' | 'number' | 'vocabulary']>): string {
  const values = columns.map(([column, kind]) => {
    const value = row[column];
    if (value === null || value === undefined) return 'NULL';
    if (kind === 'number' || typeof value === 'number' || typeof value === 'boolean') return String(Number(value));
    if (kind === 'dbtime') return `'${String(value)}'`;
    if (kind === 'vocabulary') return escapedWord(String(value));
    return mysql.escape(String(value));
  });
  return `(${values.join(',')})`;
}

const escapedWords = new Map<string, string>();
function escapedWord(word: string): string {
  let escaped = escapedWords.get(word);
  if (escaped === undefined) {
    escaped = mysql.escape(word);
    if (escapedWords.size < 10_000) escapedWords.set(word, escaped);
  }
  return escaped;
}
