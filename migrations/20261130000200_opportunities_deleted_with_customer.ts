import type { Knex } from 'knex';
import { rebuildClosedCounts } from '../src/features/opportunities/closed-counts.js';
import { rebuildPipelineTotals } from '../src/features/opportunities/pipeline-totals.js';

// A customer's opportunities now follow it into the recycle bin and back
// (src/features/opportunities/customer-cascade.ts). The flag tells the ones deleted with their
// customer from those deleted on their own, which a restore of the customer must leave deleted;
// their deleted_at alone cannot, as both may fall in the same second.
//
// Opportunities of customers deleted before this change were still live: they go now, flagged,
// and the summaries they were counted in are rebuilt.
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('opportunities', 'deleted_with_customer'))) {
    await knex.schema.alterTable('opportunities', (t) => t.boolean('deleted_with_customer').notNullable().defaultTo(false));
  }
  const moved = await knex('opportunities')
    .whereNull('deleted_at')
    .whereIn('customer_id', knex('customers').whereNotNull('deleted_at').select('id'))
    .update({
      deleted_at: knex('customers').whereRaw('customers.id = opportunities.customer_id').select('deleted_at'),
      deleted_with_customer: true,
    });
  if (moved > 0) {
    await rebuildPipelineTotals(knex);
    await rebuildClosedCounts(knex);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('opportunities', 'deleted_with_customer')) {
    await knex.schema.alterTable('opportunities', (t) => t.dropColumn('deleted_with_customer'));
  }
}
