import type { Knex } from 'knex';
import { createTable, dropTables } from '../src/db/schema-helpers.js';

// Installation-wide settings the admin may change, such as how many days without contact make a
// customer "not contacted" on My day. Values are strings; src/features/settings parses them.
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'settings', (t) => {
    t.string('key', 60).primary();
    t.string('value', 500).notNullable();
    t.dateTime('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['settings']);
}
