import type { Knex } from 'knex';
import { createTable, dropTables } from '../src/db/schema-helpers.js';

export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'audit_log', (t) => {
    t.bigIncrements('id');
    t.string('entity', 40).notNullable();
    t.integer('entity_id').unsigned().notNullable();
    // create | update | delete | restore
    t.string('action', 20).notNullable();
    t.integer('actor_id').unsigned().nullable().references('id').inTable('users');
    // JSON: { field: { before, after } }
    t.text('changes').nullable();
    t.string('ip', 64).nullable();
    t.dateTime('at').notNullable();
    t.index(['entity', 'entity_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['audit_log']);
}
