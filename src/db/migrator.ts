import type { Knex } from 'knex';
import { migrations } from '../../migrations/index.js';
import { isMysql } from './schema-helpers.js';

class ListedMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    return migrations.map(([name]) => name);
  }
  getMigrationName(name: string): string {
    return name;
  }
  async getMigration(name: string): Promise<Knex.Migration> {
    const found = migrations.find(([n]) => n === name);
    if (!found) throw new Error(`Unknown migration ${name}`);
    return found[1];
  }
}

export const migratorConfig: Knex.MigratorConfig = { migrationSource: new ListedMigrationSource() };

// MySQL commits DDL implicitly, so wrapping a migration in a transaction only pretends; the
// migrations check state first (src/db/schema-helpers.ts) and can be re-run instead.
function configFor(db: Knex): Knex.MigratorConfig {
  return { ...migratorConfig, disableTransactions: isMysql(db) };
}

export async function migrateLatest(db: Knex): Promise<void> {
  await db.migrate.latest(configFor(db));
}

/** Undoes the last batch; returns the names rolled back. */
export async function rollbackLatest(db: Knex): Promise<string[]> {
  const [, names] = await db.migrate.rollback(configFor(db));
  return names;
}
