import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMysql } from '../src/db/schema-helpers.js';
import { freshDatabase } from './support/test-db.js';

// Read plans name their indexes (FORCE INDEX on MariaDB, the unique key a duplicate maps to). A
// name that no migration creates would fail on MariaDB only, or silently map nothing: every
// `<table>_<...>` string in src/ that is not itself a table must be an index of that table, on
// SQLite and on MariaDB alike.

let db: Knex;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ db, drop } = await freshDatabase());
});
afterAll(() => drop());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

async function tables(): Promise<string[]> {
  if (isMysql(db)) {
    const [rows] = await db.raw('select table_name as name from information_schema.tables where table_schema = database()');
    return (rows as Array<{ name: string }>).map((r) => r.name);
  }
  return (await db('sqlite_master').where('type', 'table').pluck('name')) as string[];
}

async function indexesOf(table: string): Promise<Set<string>> {
  if (isMysql(db)) {
    const [rows] = await db.raw('select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = ?', [table]);
    return new Set((rows as Array<{ name: string }>).map((r) => r.name));
  }
  const rows: Array<{ name: string }> = await db.raw(`pragma index_list(${JSON.stringify(table)})`);
  return new Set(rows.map((r) => r.name));
}

describe('index names in code', () => {
  it('every index a read plan or a unique key names exists, on this database', async () => {
    const known = await tables();
    const named = new Map<string, { table: string; where: string }>();
    for (const file of sourceFiles('src')) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/'([a-z][a-z0-9_]*)'/g)) {
        const literal = m[1];
        if (known.includes(literal)) continue;
        // The longest table name the literal starts with: payment_plans_contract_seq is payment_plans'.
        const table = known.filter((t) => literal.startsWith(`${t}_`)).sort((a, b) => b.length - a.length)[0];
        if (table) named.set(literal, { table, where: path.relative('.', file) });
      }
    }
    const columns = new Map<string, string[]>();
    const missing: string[] = [];
    for (const [name, { table, where }] of named) {
      if (!columns.has(table)) columns.set(table, Object.keys(await db(table).columnInfo()));
      // A column of another table spelled with its prefix (customers_count) is not an index name.
      if ([...columns.values()].some((cols) => cols.includes(name))) continue;
      if (!(await indexesOf(table)).has(name)) missing.push(`${name} (${where})`);
    }
    expect(named.size).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});
