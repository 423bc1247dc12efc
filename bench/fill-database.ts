import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import { createDb, ensureDatabase } from '../src/db/knex.js';
import { migrateLatest } from '../src/db/migrator.js';
import { rebuildCustomerCounts } from '../src/features/customers/customer-counts.js';
import { rebuildClosedCounts } from '../src/features/opportunities/closed-counts.js';
import { rebuildPipelineTotals } from '../src/features/opportunities/pipeline-totals.js';
import { fromRoot } from '../src/paths.js';
import { CUSTOMER_COLUMNS, customerFacts, customerValues } from './customer-rows.js';
import { FOLLOWUP_COLUMNS, followUpValues } from './followup-rows.js';
import { hasOpportunity, OPPORTUNITY_COLUMNS, opportunityCount, opportunityValues, STAGE_HISTORY_COLUMNS, type BenchStage } from './opportunity-rows.js';
import { createOrganisation, organisationOf, type Organisation } from './organisation.js';

export type FilledDatabase = { db: Knex; organisation: Organisation; fillSeconds: number | null; tables: TableFill[] };

const BATCH = 5_000;

// What the filled database depends on: the schema and the generators. A change to any refills it.
function fingerprint(): string {
  const hash = createHash('sha256');
  const files = [
    ...readdirSync(fromRoot('migrations')).sort().map((f) => fromRoot('migrations', f)),
    fromRoot('seeds', 'customer-generator.ts'),
    fromRoot('seeds', 'sales-generator.ts'),
    fromRoot('bench', 'sql-literal.ts'),
    fromRoot('bench', 'customer-rows.ts'),
    fromRoot('bench', 'followup-rows.ts'),
    fromRoot('bench', 'opportunity-rows.ts'),
    fromRoot('bench', 'organisation.ts'),
    // How the rows are loaded: the owner's branch, the rebuilt pipeline_totals.
    fromRoot('bench', 'fill-database.ts'),
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
 * A table's secondary indexes. Building them once, sorted, after the load is several times faster
 * than updating all of them row by row. With foreign_key_checks off, MariaDB and MySQL also let the
 * indexes a foreign key needs go for the load; they are back before the checks are turned on.
 */
async function secondaryIndexes(connection: mysql.Connection, table: string): Promise<IndexDefinition[]> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    // Aliased: MySQL 8 reports information_schema columns in capitals whatever the query says.
    `select index_name as index_name, non_unique as non_unique, column_name as column_name, sub_part as sub_part,
            collation as collation
       from information_schema.statistics
      where table_schema = database() and table_name = ? and index_name <> 'PRIMARY'
      order by index_name, seq_in_index`,
    [table],
  );
  const indexes = new Map<string, IndexDefinition>();
  for (const r of rows) {
    const index: IndexDefinition = indexes.get(r.index_name) ?? { name: r.index_name, unique: !r.non_unique, columns: [] };
    const column = r.sub_part ? `\`${r.column_name}\`(${r.sub_part})` : `\`${r.column_name}\``;
    // A descending column ('D') is rebuilt descending (migration 20261130000400).
    index.columns.push(r.collation === 'D' ? `${column} desc` : column);
    indexes.set(r.index_name, index);
  }
  return [...indexes.values()];
}

export type TableFill = { table: string; rows: number; seconds: number; indexSeconds: number };

/**
 * Loads one table from a stream of values tuples: multi-row INSERTs on one connection (whose
 * session has unique and foreign key checks off), the next batch built while the server stores the
 * last, with the secondary indexes dropped before and rebuilt after.
 */
async function loadTable(
  connection: mysql.Connection,
  table: string,
  columns: readonly string[],
  tuples: Iterable<string>,
  log: (line: string) => void,
): Promise<TableFill> {
  const started = performance.now();
  const deferred = await secondaryIndexes(connection, table);
  if (deferred.length > 0) {
    await connection.query(`ALTER TABLE \`${table}\` ${deferred.map((i) => `DROP INDEX \`${i.name}\``).join(', ')}`);
  }
  const head = `INSERT INTO \`${table}\` (${columns.join(',')}) VALUES `;
  let pending: Promise<unknown> = Promise.resolve();
  let lastReport = Date.now();
  let rows = 0;
  let batch: string[] = [];
  const send = async () => {
    await pending;
    pending = connection.query(head + batch.join(','));
    batch = [];
    if (Date.now() - lastReport > 10_000) {
      log(`  ${rows.toLocaleString('en')} ${table} so far`);
      lastReport = Date.now();
    }
  };
  for (const tuple of tuples) {
    batch.push(tuple);
    rows++;
    if (batch.length === BATCH) await send();
  }
  if (batch.length > 0) await send();
  await pending;
  const loaded = performance.now();
  if (deferred.length > 0) {
    const add = deferred.map((i) => `ADD ${i.unique ? 'UNIQUE ' : ''}INDEX \`${i.name}\` (${i.columns.join(', ')})`);
    await connection.query(`ALTER TABLE \`${table}\` ${add.join(', ')}`);
  }
  await connection.query(`ANALYZE TABLE \`${table}\``);
  const fill: TableFill = { table, rows, seconds: (performance.now() - started) / 1000, indexSeconds: (performance.now() - loaded) / 1000 };
  log(
    `  ${table}: ${rows.toLocaleString('en')} rows in ${fill.seconds.toFixed(1)} s ` +
      `(${deferred.length} indexes rebuilt and analysed in ${fill.indexSeconds.toFixed(1)} s)`,
  );
  return fill;
}

function* customerTuples(total: number, organisation: Organisation, withBranch: boolean, now: number): Generator<string> {
  const { ownerIds, branchIds } = organisation;
  for (let n = 0; n < total; n++) {
    yield customerValues(n, customerFacts(n, total, ownerIds, now), withBranch ? branchIds[n % branchIds.length] : undefined);
  }
}

function* opportunityTuples(total: number, ownerIds: number[], stages: BenchStage[], now: number, part: 'opportunity' | 'history'): Generator<string> {
  for (let n = 0; n < total; n++) {
    if (!hasOpportunity(n)) continue;
    const values = opportunityValues(n, customerFacts(n, total, ownerIds, now), stages, now);
    if (!values) continue;
    if (part === 'opportunity') yield values.opportunity;
    else yield* values.history;
  }
}

function* followUpTuples(total: number, ownerIds: number[], now: number): Generator<string> {
  for (let n = 0; n < total; n++) yield* followUpValues(n, customerFacts(n, total, ownerIds, now));
}

/** Customers, their opportunities with stage history, and their follow-ups; each table timed. */
async function loadSalesData(url: string, total: number, organisation: Organisation, stages: BenchStage[], log: (line: string) => void): Promise<TableFill[]> {
  const connection = await mysql.createConnection({ uri: url, charset: 'utf8mb4' });
  const now = Date.now();
  const { ownerIds } = organisation;
  try {
    // Generated data is known to be unique and to reference existing rows.
    await connection.query('SET SESSION unique_checks = 0, foreign_key_checks = 0');
    // A managers' list reads customers by their owner's branch (migrations/*_customers_owner_branch.ts).
    const [branchColumn] = await connection.query<mysql.RowDataPacket[]>(
      `select 1 from information_schema.columns where table_schema = database() and table_name = 'customers' and column_name = 'owner_branch_id'`,
    );
    const withBranch = branchColumn.length > 0;
    const fills = [
      await loadTable(connection, 'customers', withBranch ? [...CUSTOMER_COLUMNS, 'owner_branch_id'] : CUSTOMER_COLUMNS, customerTuples(total, organisation, withBranch, now), log),
      await loadTable(connection, 'opportunities', OPPORTUNITY_COLUMNS, opportunityTuples(total, ownerIds, stages, now, 'opportunity'), log),
      await loadTable(connection, 'opportunity_stage_history', STAGE_HISTORY_COLUMNS, opportunityTuples(total, ownerIds, stages, now, 'history'), log),
      await loadTable(connection, 'followups', FOLLOWUP_COLUMNS, followUpTuples(total, ownerIds, now), log),
    ];
    await connection.query('SET SESSION unique_checks = 1, foreign_key_checks = 1');
    return fills;
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
    return { db, organisation: await organisationOf(db), fillSeconds: null, tables: [] };
  }

  await db.destroy();
  log(
    `Filling a new database with ${customers.toLocaleString('en')} customers, about ${(customers * 5).toLocaleString('en')} follow-ups ` +
      `and ${opportunityCount(customers).toLocaleString('en')} opportunities...`,
  );
  const started = performance.now();
  await recreateDatabase(url);
  db = createDb(url);
  await migrateLatest(db);
  const organisation = await createOrganisation(db);
  const stages: BenchStage[] = await db('pipeline_stages').orderBy('sort').select('id', 'probability', 'kind');
  const tables = await loadSalesData(url, customers, organisation, stages, log);
  // The board's and the lists' totals are read from summaries kept on every write; a bulk load
  // rebuilds them (migrations/*_create_pipeline_totals.ts, *_create_customer_counts.ts, *_create_closed_counts.ts).
  const summaries = [
    ['pipeline_totals', rebuildPipelineTotals],
    ['customer_counts', rebuildCustomerCounts],
    ['closed_counts', rebuildClosedCounts],
  ] as const;
  for (const [table, rebuild] of summaries) {
    if (!(await db.schema.hasTable(table))) continue;
    const started = performance.now();
    await rebuild(db);
    const seconds = (performance.now() - started) / 1000;
    tables.push({ table, rows: Number((await db(table).count({ n: '*' }).first())?.n ?? 0), seconds, indexSeconds: 0 });
    log(`  ${table} rebuilt in ${seconds.toFixed(1)} s`);
  }
  await db.schema.createTable('bench_fill', (t) => {
    t.string('fingerprint', 64).notNullable();
    t.integer('customers').notNullable();
  });
  await db('bench_fill').insert({ fingerprint: print, customers });
  const fillSeconds = (performance.now() - started) / 1000;
  log(`Filled in ${fillSeconds.toFixed(1)} s`);
  return { db, organisation, fillSeconds, tables };
}
