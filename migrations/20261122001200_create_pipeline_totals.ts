import type { Knex } from 'knex';
import { createTable, dropTables } from '../src/db/schema-helpers.js';
import { rebuildPipelineTotals } from '../src/features/opportunities/pipeline-totals.js';

// The pipeline's totals per owner, stage and currency, so the board and the list's totals read a
// few hundred summary rows instead of every opportunity in a manager's scope. Derived data: every
// opportunity write recomputes its owners' rows in the same transaction
// (src/features/opportunities/pipeline-totals.ts), and rebuildPipelineTotals makes it again from
// the opportunities table, so it carries no foreign keys of its own.
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'pipeline_totals', (t) => {
    t.integer('owner_id').unsigned().notNullable();
    t.integer('stage_id').unsigned().notNullable();
    t.string('currency', 3).notNullable();
    t.integer('opportunities').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.bigInteger('weighted_cents').notNullable();
    t.primary(['owner_id', 'stage_id', 'currency']);
  });
  // One row per owner whose opportunities were ever written: a save locks its owners' rows first,
  // so saves of one owner's opportunities recompute that owner's totals one after another.
  await createTable(knex, 'pipeline_total_locks', (t) => {
    t.integer('owner_id').unsigned().primary();
  });
  // Built from the live opportunities already there; re-running it rebuilds the same rows.
  await rebuildPipelineTotals(knex);
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['pipeline_total_locks', 'pipeline_totals']);
}
