import type { Knex } from 'knex';

// The admin's board sums every owner's summary rows by stage and currency (about 2,400 rows at 200
// owners). Through the primary key (owner_id, stage_id, currency) MariaDB gathered them in a
// temporary table and sorted it; this index holds the summed columns in the grouping's own order,
// so the sums are read off it in one pass (1.4 → 0.95 ms at a million customers).
const columns = ['stage_id', 'currency', 'opportunities', 'amount_cents', 'weighted_cents'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipeline_totals', (t) => t.index(columns, 'pipeline_totals_stage'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipeline_totals', (t) => t.dropIndex(columns, 'pipeline_totals_stage'));
}
