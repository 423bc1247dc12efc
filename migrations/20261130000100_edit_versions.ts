import type { Knex } from 'knex';

// Every edit form carries its record's version and answers 409 when someone else saved first
// (CONTRACT.md). These admin-edited records and payment plans were saved without one, so the last
// save silently overwrote the one before it; payment plans compared updated_at, which has only
// one-second precision.
const tables = ['product_categories', 'pipeline_stages', 'dictionaries', 'users', 'payment_plans'];

export async function up(knex: Knex): Promise<void> {
  for (const table of tables) {
    if (await knex.schema.hasColumn(table, 'version')) continue;
    await knex.schema.alterTable(table, (t) => t.integer('version').notNullable().defaultTo(1));
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of tables) {
    if (await knex.schema.hasColumn(table, 'version')) await knex.schema.alterTable(table, (t) => t.dropColumn('version'));
  }
}
