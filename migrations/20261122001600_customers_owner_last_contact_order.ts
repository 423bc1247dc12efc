import type { Knex } from 'knex';

// 20261122001500 put created_at after last_contact_at in a rep's last-contact index, so its order
// became (last_contact_at, created_at, id) while My day's stale section asks for
// (last_contact_at, id): MariaDB then sorted all of a rep's stale customers (about 4,000 at a
// million customers, 1.5 ms) instead of stopping after 101. With `id` written before created_at the
// index order is the section's again, and created_at is still read from the index.
const before = ['owner_id', 'deleted_at', 'last_contact_at', 'created_at'];
const after = ['owner_id', 'deleted_at', 'last_contact_at', 'id', 'created_at'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropIndex(before, 'customers_owner_last_contact');
    t.index(after, 'customers_owner_last_contact');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropIndex(after, 'customers_owner_last_contact');
    t.index(before, 'customers_owner_last_contact');
  });
}
