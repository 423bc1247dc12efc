import type { Knex } from 'knex';

// /followups lists the follow-ups in the reader's scope newest first. Without an index in that
// order, a manager's or the admin's first page sorted every follow-up in scope (millions of rows).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('followups', (t) => {
    t.index(['occurred_at', 'id'], 'followups_recent');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('followups', (t) => {
    t.dropIndex(['occurred_at', 'id'], 'followups_recent');
  });
}
