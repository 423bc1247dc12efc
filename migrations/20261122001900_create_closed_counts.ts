import type { Knex } from 'knex';
import { createTable, dropTables } from '../src/db/schema-helpers.js';
import { rebuildClosedCounts } from '../src/features/opportunities/closed-counts.js';

// Opportunities that entered a won or lost stage, per owner, UTC month and stage, so the board's
// "won / lost this month" reads summary rows (src/features/opportunities/closed-counts.ts). Derived
// data, recomputed with pipeline_totals by every opportunity write, so no foreign keys of its own.
// The primary key serves a team's owners; the second index the whole company's months.
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'closed_counts', (t) => {
    t.integer('owner_id').unsigned().notNullable();
    t.string('month', 7).notNullable();
    t.integer('stage_id').unsigned().notNullable();
    t.integer('opportunities').notNullable();
    t.primary(['owner_id', 'month', 'stage_id']);
    t.index(['month', 'stage_id', 'opportunities'], 'closed_counts_month');
  });
  await rebuildClosedCounts(knex);
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['closed_counts']);
}
