import type { Knex } from 'knex';
import { createTable, dropTables } from '../src/db/schema-helpers.js';

export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'dictionaries', (t) => {
    t.increments('id');
    // customer_source | industry | customer_level | customer_status | followup_type | ...
    t.string('type', 40).notNullable();
    t.string('code', 40).notNullable();
    t.string('label_zh', 100).notNullable();
    t.string('label_en', 100).notNullable();
    t.integer('sort').notNullable().defaultTo(0);
    t.boolean('is_active').notNullable().defaultTo(true);
    t.unique(['type', 'code']);
    t.index(['type', 'is_active', 'sort']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['dictionaries']);
}
