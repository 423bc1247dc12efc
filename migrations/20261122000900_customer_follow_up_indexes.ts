import type { Knex } from 'knex';

// My day asks, for one owner, which customers are due a follow-up and which have not been
// contacted for N days. These two owner-first indexes answer that as a range; each costs a
// manager's list about 0.2 ms more of MariaDB estimating (see the customers migration).
const indexes: Array<[name: string, columns: string[]]> = [
  ['customers_owner_next_follow_up', ['owner_id', 'deleted_at', 'next_follow_up_at']],
  ['customers_owner_last_contact', ['owner_id', 'deleted_at', 'last_contact_at']],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    for (const [name, columns] of indexes) t.index(columns, name);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    for (const [name, columns] of indexes) t.dropIndex(columns, name);
  });
}
