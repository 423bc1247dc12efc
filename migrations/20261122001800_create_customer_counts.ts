import type { Knex } from 'knex';
import { createTable, dropTables } from '../src/db/schema-helpers.js';
import { rebuildCustomerCounts } from '../src/features/customers/customer-counts.js';

// Live customers per owner, so the customer list's total reads one summary row per owner instead of
// counting the customers (src/features/customers/customer-counts.ts). Derived data, kept by the
// customer writes in their own transactions and rebuilt from the customers table, so it carries no
// foreign keys of its own.
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'customer_counts', (t) => {
    t.integer('owner_id').unsigned().primary();
    t.integer('live').notNullable();
  });
  await rebuildCustomerCounts(knex);
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['customer_counts']);
}
