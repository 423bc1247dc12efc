import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createDb, dialectOf, ensureDatabase } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrator.js';

// Each test file gets a fresh database: a new SQLite file by default, or the MySQL/MariaDB database
// named by TEST_DATABASE_URL emptied and migrated again (files then run one at a time).
export const testDatabaseUrl = process.env.TEST_DATABASE_URL;

export async function freshDatabase(): Promise<{ db: Knex; url: string; drop: () => Promise<void> }> {
  if (testDatabaseUrl && dialectOf(testDatabaseUrl) === 'mysql') {
    await ensureDatabase(testDatabaseUrl);
    const db = createDb(testDatabaseUrl);
    await dropAllMysqlTables(db);
    await migrateLatest(db);
    return { db, url: testDatabaseUrl, drop: () => db.destroy() };
  }
  const file = path.join(os.tmpdir(), `crm-test-${process.pid}-${randomUUID()}.sqlite`);
  const url = `sqlite:${file}`;
  const db = createDb(url);
  await migrateLatest(db);
  return {
    db,
    url,
    drop: async () => {
      await db.destroy();
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
}

async function dropAllMysqlTables(db: Knex): Promise<void> {
  const [rows] = await db.raw('select table_name as name from information_schema.tables where table_schema = database()');
  // The checks are switched off per connection, so every statement must run on the same one.
  const connection = await db.client.acquireConnection();
  try {
    await db.raw('SET FOREIGN_KEY_CHECKS = 0').connection(connection);
    for (const row of rows as Array<{ name: string }>) await db.raw('DROP TABLE IF EXISTS ??', [row.name]).connection(connection);
    await db.raw('SET FOREIGN_KEY_CHECKS = 1').connection(connection);
  } finally {
    await db.client.releaseConnection(connection);
  }
}
