import type { Knex } from 'knex';

// My day's "closing this month" for a team or the whole company reads open opportunities in close
// date order. Without the stage in the close-date index MariaDB took the stage index instead, read
// every open opportunity of the month (67,000 estimated for the admin at 300,000 opportunities)
// and sorted them: 12.7 ms. With the stage inside it, the close-date walk checks stage and owner in
// the index and stops after the section's 101 rows: 0.6 ms for the admin, 2.1 ms for a manager.
// `id` is written out so the index order is exactly the list's (expected_close_date, owner_id, id).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('opportunities', (t) => {
    t.dropIndex(['deleted_at', 'expected_close_date', 'owner_id'], 'opportunities_all_close');
    t.index(['deleted_at', 'expected_close_date', 'owner_id', 'id', 'stage_id'], 'opportunities_all_close_stage');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('opportunities', (t) => {
    t.dropIndex(['deleted_at', 'expected_close_date', 'owner_id', 'id', 'stage_id'], 'opportunities_all_close_stage');
    t.index(['deleted_at', 'expected_close_date', 'owner_id'], 'opportunities_all_close');
  });
}
