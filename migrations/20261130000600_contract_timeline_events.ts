import type { Knex } from 'knex';

// The customer's timeline gains a contract's creation and the payments received on it, beside its
// approval trail:
// - contract_events gets a 'created' row per contract (new contracts write theirs when the draft is
//   made), so the trail on the contract page starts where the contract did;
// - payment_records gets the contract's customer, kept with the contract's customer like its
//   events, and an index to read a customer's payments newest first, as the timeline reads each of
//   its sources. Written by every new record; nullable only because SQLite cannot add a NOT NULL
//   column to a table with rows without rebuilding it.
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('payment_records', 'customer_id'))) {
    await knex.schema.alterTable('payment_records', (t) => {
      t.integer('customer_id').unsigned().nullable().references('id').inTable('customers');
      t.index(['customer_id', 'created_at'], 'payment_records_customer');
    });
  }
  await knex('payment_records')
    .whereNull('customer_id')
    .update({ customer_id: knex('contracts').whereRaw('contracts.id = payment_records.contract_id').select('customer_id') });

  const created = knex('contracts')
    .whereNotExists(knex('contract_events as e').whereRaw('e.contract_id = contracts.id').where('e.action', 'created'))
    .select('id', 'customer_id', knex.raw("'created'"), 'created_by', 'created_at');
  await knex.into(knex.raw('?? (??, ??, ??, ??, ??)', ['contract_events', 'contract_id', 'customer_id', 'action', 'actor_id', 'at'])).insert(created);
}

export async function down(knex: Knex): Promise<void> {
  await knex('contract_events').where('action', 'created').delete();
  if (await knex.schema.hasColumn('payment_records', 'customer_id')) {
    await knex.schema.alterTable('payment_records', (t) => {
      t.dropForeign(['customer_id']);
      t.dropIndex(['customer_id', 'created_at'], 'payment_records_customer');
      t.dropColumn('customer_id');
    });
  }
}
