import type { Knex } from 'knex';
import { createTable, dropTables, timestamps } from '../src/db/schema-helpers.js';

// What a rep logs after a call. Logging one also sets the customer's last_contact_at and
// next_follow_up_at in the same transaction, so no page scans follow-ups to know them.
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'followups', (t) => {
    t.increments('id');
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.integer('contact_id').unsigned().nullable().references('id').inTable('contacts').onDelete('SET NULL');
    t.integer('opportunity_id').unsigned().nullable().references('id').inTable('opportunities');
    t.string('type', 40).notNullable(); // dictionary followup_type
    t.dateTime('occurred_at').notNullable();
    t.text('content').notNullable();
    t.dateTime('next_follow_up_at').nullable();
    t.string('next_action', 500).nullable();
    t.integer('created_by').unsigned().notNullable().references('id').inTable('users');
    timestamps(t);
    // The customer's timeline, newest first; the stage rule's "a follow-up since entering the stage".
    t.index(['customer_id', 'occurred_at', 'id'], 'followups_customer');
    t.index(['opportunity_id', 'occurred_at'], 'followups_opportunity');
    t.index(['created_by', 'occurred_at'], 'followups_author');
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['followups']);
}
