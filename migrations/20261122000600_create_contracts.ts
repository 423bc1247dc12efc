import type { Knex } from 'knex';
import { createTable, dropTables, timestamps } from '../src/db/schema-helpers.js';

export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'contracts', (t) => {
    t.increments('id');
    t.string('number', 40).notNullable().unique();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.integer('opportunity_id').unsigned().nullable().references('id').inTable('opportunities');
    t.integer('quote_id').unsigned().nullable().references('id').inTable('quotes');
    t.string('title', 200).notNullable();
    t.string('currency', 3).notNullable().defaultTo('CNY');
    t.decimal('total', 18, 2).notNullable().defaultTo(0);
    // The total the approver approved; an approved contract whose total differs goes back to approval.
    t.decimal('approved_total', 18, 2).nullable();
    t.date('sign_date').nullable();
    t.date('start_date').nullable();
    t.date('end_date').nullable();
    // draft | pending_approval | approved | signed | terminated
    t.string('status', 20).notNullable().defaultTo('draft');
    t.integer('approver_id').unsigned().nullable().references('id').inTable('users'); // set on submission
    t.text('remark').nullable();
    t.integer('owner_id').unsigned().notNullable().references('id').inTable('users');
    t.integer('created_by').unsigned().notNullable().references('id').inTable('users');
    t.integer('version').notNullable().defaultTo(1);
    t.dateTime('deleted_at').nullable();
    timestamps(t);
    t.index(['owner_id', 'deleted_at', 'id'], 'contracts_owner');
    t.index(['deleted_at', 'id', 'owner_id'], 'contracts_all');
    // My day: contracts awaiting this user's approval.
    t.index(['approver_id', 'status'], 'contracts_approver');
    t.index(['customer_id'], 'contracts_customer');
  });
  await createTable(knex, 'contract_items', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('id').inTable('contracts').onDelete('CASCADE');
    t.integer('product_id').unsigned().nullable().references('id').inTable('products');
    t.string('product_name', 200).notNullable();
    t.decimal('quantity', 18, 2).notNullable();
    t.decimal('unit_price', 18, 2).notNullable();
    t.decimal('discount_percent', 5, 2).notNullable().defaultTo(0);
    t.decimal('line_total', 18, 2).notNullable();
    t.integer('sort').notNullable().defaultTo(0);
    t.index(['contract_id', 'sort'], 'contract_items_contract');
  });
  // submitted, approved, rejected (with the approver's comment), signed, terminated: the approval
  // trail and the contract events on the customer's timeline.
  await createTable(knex, 'contract_events', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('id').inTable('contracts');
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.string('action', 20).notNullable();
    t.text('comment').nullable();
    t.integer('actor_id').unsigned().notNullable().references('id').inTable('users');
    t.dateTime('at').notNullable();
    t.index(['contract_id', 'at'], 'contract_events_contract');
    t.index(['customer_id', 'at'], 'contract_events_customer');
  });
  // Instalments; their sum never exceeds the contract total.
  await createTable(knex, 'payment_plans', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('id').inTable('contracts');
    t.integer('seq').notNullable();
    t.date('due_date').notNullable();
    t.decimal('amount', 18, 2).notNullable();
    // Kept equal to the sum of the records applied to the plan, in the same transaction.
    t.decimal('received_amount', 18, 2).notNullable().defaultTo(0);
    t.string('remark', 500).nullable();
    // Denormalised from the contract, so /payments and My day filter receivables by index.
    t.integer('owner_id').unsigned().notNullable().references('id').inTable('users');
    t.boolean('is_settled').notNullable().defaultTo(false);
    timestamps(t);
    t.unique(['contract_id', 'seq'], { indexName: 'payment_plans_contract_seq' });
    t.index(['owner_id', 'is_settled', 'due_date'], 'payment_plans_owner_due');
    t.index(['is_settled', 'due_date', 'owner_id'], 'payment_plans_all_due');
  });
  await createTable(knex, 'payment_records', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('id').inTable('contracts');
    t.integer('plan_id').unsigned().nullable().references('id').inTable('payment_plans');
    t.decimal('amount', 18, 2).notNullable();
    t.date('paid_on').notNullable();
    t.string('method', 40).notNullable(); // dictionary payment_method
    t.string('reference', 100).nullable();
    t.string('remark', 500).nullable();
    t.integer('created_by').unsigned().notNullable().references('id').inTable('users');
    timestamps(t);
    t.index(['contract_id', 'paid_on'], 'payment_records_contract');
    t.index(['plan_id'], 'payment_records_plan');
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['payment_records', 'payment_plans', 'contract_events', 'contract_items', 'contracts']);
}
