import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import { createDb, ensureDatabase } from '../src/db/knex.js';
import { migrateLatest } from '../src/db/migrator.js';
import { fromRoot } from '../src/paths.js';
import { CUSTOMER_COLUMNS, customerValues } from './customer-rows.js';
import { createOrganisation, organisationOf, type Organisation } from './organisation.js';

export type FilledDatabase = { db: Knex; organisation: Organisation; fillSeconds: number | null };

const BATCH = 5_000;

// What the filled database depends on: the schema and the generator. A change to either refills it.
function fingerprint(): string {
  const hash = createHash('sha256');
  const files = [
    ...readdirSync(fromRoot('migrations')).sort().map((f) => fromRoot('migrations', f)),
    fromRoot('seeds', 'customer-generator.ts'),
    fromRoot('bench', 'customer-rows.ts'),
    fromRoot('bench', 'organisation.ts'),
  ];
  for (const file of files) hash.update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

async function previousFill(db: Knex): Promise<{ fingerprint: string; customers: number } | undefined> {
  if (!(await db.schema.hasTable('bench_fill'))) return undefined;
  return db('bench_fill').first('fingerprint', 'customers');
}

async function customerCount(db: Knex): Promise<number> {
  const row = await db('customers').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

async function recreateDatabase(url: string): Promise<void> {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  parsed.pathname = '/';
  const server = await mysql.createConnection(parsed.toString());
  try {
    await server.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await server.end();
  }
  await ensureDatabase(url);
}

type IndexDefinition = { name: string; unique: boolean; columns: string[] };

/**
 * The customers table's secondary indexes that no foreign key needs. Building them once, sorted,
 * after the load is several times faster than updating all of them row by row.
 */
async function droppableIndexes(connection: mysql.Connection): Promise<IndexDefinition[]> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    // Aliased: MySQL 8 reports information_schema columns in capitals whatever the query says.
    `select index_name as index_name, non_unique as non_unique, column_name as column_name, sub_part as sub_part
       from information_schema.statistics
      where table_schema = database() and table_name = 'customers' and index_name <> 'PRIMARY'
      order by index_name, seq_in_index`,
  );
  const indexes = new Map<string, IndexDefinition>();
  for (const r of rows) {
    const index: IndexDefinition = indexes.get(r.index_name) ?? { name: r.index_name, unique: !r.non_unique, columns: [] };
    index.columns.push(r.sub_part ? `\`${r.column_name}\`(${r.sub_part})` : `\`${r.column_name}\``);
    indexes.set(r.index_name, index);
  }
  const [keys] = await connection.query<mysql.RowDataPacket[]>(
    `select column_name as column_name from information_schema.key_column_usage
      where table_schema = database() and table_name = 'customers' and referenced_table_name is not null`,
  );
  const kept = new Set<string>();
  for (const { column_name } of keys) {
    // The shortest index that starts with the foreign key's column stays, for the constraint.
    const candidates = [...indexes.values()].filter((i) => i.columns[0] === `\`${column_name}\``);
    candidates.sort((a, b) => a.columns.length - b.columns.length);
    if (candidates[0]) kept.add(candidates[0].name);
  }
  return [...indexes.values()].filter((i) => !kept.has(i.name));
}

/** Multi-row INSERTs on one connection, the next batch built while the server stores the last. */
async function loadCustomers(url: string, total: number, ownerIds: number[], log: (line: string) => void): Promise<void> {
  const connection = await mysql.createConnection({ uri: url, charset: 'utf8mb4' });
  const now = Date.now();
  const head = `INSERT INTO customers (${CUSTOMER_COLUMNS.join(',')}) VALUES `;
  try {
    // Generated data is known to be unique and to reference existing users.
    await connection.query('SET SESSION unique_checks = 0, foreign_key_checks = 0');
    const deferred = await droppableIndexes(connection);
    if (deferred.length > 0) {
      await connection.query(`ALTER TABLE customers ${deferred.map((i) => `DROP INDEX \`${i.name}\``).join(', ')}`);
    }
    let pending: Promise<unknown> = Promise.resolve();
    let lastReport = Date.now();
    for (let start = 0; start < total; start += BATCH) {
      const end = Math.min(total, start + BATCH);
      const rows: string[] = [];
      for (let n = start; n < end; n++) rows.push(customerValues(n, total, ownerIds, now));
      await pending;
      pending = connection.query(head + rows.join(','));
      if (Date.now() - lastReport > 10_000) {
        log(`  ${start.toLocaleString('en')} customers so far`);
        lastReport = Date.now();
      }
    }
    await pending;
    if (deferred.length > 0) {
      log(`  building ${deferred.length} indexes`);
      const add = deferred.map((i) => `ADD ${i.unique ? 'UNIQUE ' : ''}INDEX \`${i.name}\` (${i.columns.join(', ')})`);
      await connection.query(`ALTER TABLE customers ${add.join(', ')}`);
    }
    await connection.query('SET SESSION unique_checks = 1, foreign_key_checks = 1');
    await connection.query('ANALYZE TABLE customers');
  } finally {
    await connection.end();
  }
}

/** A database holding exactly `customers` customers: the one from the last run if it still fits, else a new one. */
export async function fillDatabase(url: string, customers: number, log: (line: string) => void): Promise<FilledDatabase> {
  await ensureDatabase(url);
  const print = fingerprint();
  let db = createDb(url);
  const previous = await previousFill(db);
  if (previous?.fingerprint === print && Number(previous.customers) === customers && (await customerCount(db)) === customers) {
    log(`Reusing ${url.replace(/\/\/[^@]*@/, '//')} with ${customers.toLocaleString('en')} customers`);
    return { db, organisation: await organisationOf(db), fillSeconds: null };
  }

  await db.destroy();
  log(`Filling a new database with ${customers.toLocaleString('en')} customers...`);
  const started = performance.now();
  await recreateDatabase(url);
  db = createDb(url);
  await migrateLatest(db);
  const organisation = await createOrganisation(db);
  await loadCustomers(url, customers, organisation.ownerIds, log);
  await db.schema.createTable('bench_fill', (t) => {
    t.string('fingerprint', 64).notNullable();
    t.integer('customers').notNullable();
  });
  await db('bench_fill').insert({ fingerprint: print, customers });
  const fillSeconds = (performance.now() - started) / 1000;
  log(`Filled in ${fillSeconds.toFixed(1)} s`);
  return { db, organisation, fillSeconds };
}
