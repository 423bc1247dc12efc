import type { Knex } from 'knex';

// Migration helpers in Ghost's manner: check state first, so a half-applied migration can be re-run,
// and keep MySQL's table options (InnoDB, utf8mb4) in one place.
export function isMysql(knex: Knex): boolean {
  return knex.client.config.client === 'mysql2';
}

export async function createTable(
  knex: Knex,
  name: string,
  build: (table: Knex.CreateTableBuilder) => void,
): Promise<void> {
  if (await knex.schema.hasTable(name)) return;
  await knex.schema.createTable(name, (table) => {
    if (isMysql(knex)) {
      table.engine('InnoDB');
      table.charset('utf8mb4');
      table.collate('utf8mb4_unicode_ci');
    }
    build(table);
  });
}

export async function dropTables(knex: Knex, names: string[]): Promise<void> {
  for (const name of names) await knex.schema.dropTableIfExists(name);
}

/** created_at / updated_at as UTC "YYYY-MM-DD HH:MM:SS" strings written by the application. */
export function timestamps(table: Knex.CreateTableBuilder): void {
  table.dateTime('created_at').notNullable();
  table.dateTime('updated_at').notNullable();
}
