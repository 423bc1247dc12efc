import type { Knex } from 'knex';
import { migrations } from '../../migrations/index.js';

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

export async function migrateLatest(db: Knex): Promise<void> {
  await db.migrate.latest(migratorConfig);
}

export async function rollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback(migratorConfig, true);
}
