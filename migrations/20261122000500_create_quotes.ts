import type { Knex } from 'knex';
import { createTable, dropTables, timestamps } from '../src/db/schema-helpers.js';

export async function up(knex: Knex): Promise<void> {
  // Document numbers (QT-2026-000123, CT-2026-000045): one row per prefix and year, incremented
  // inside the transaction that creates the document, so two saves never get the same number.
  await createTable(knex, 'number_sequences', (t) => {
    t.string('name', 40).primary();
    t.integer('last_value').notNullable().defaultTo(0);
  });
  await createTable(knex, 'quotes', (t) => {
    t.increments('id');
    t.string('number', 40).notNullable().unique();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.integer('opportunity_id').unsigned().nullable().references('id').inTable('opportunities');
    t.string('title', 200).notNullable();
    t.string('currency', 3).notNullable().defaultTo('CNY');
    // Computed on the server from the items, exactly, in cents.
    t.decimal('subtotal', 18, 2).notNullable().defaultTo(0); // before discounts
    t.decimal('discount_total', 18, 2).notNullable().defaultTo(0);
    t.decimal('total', 18, 2).notNullable().defaultTo(0);
    t.date('valid_until').nullable();
    t.string('status', 20).notNullable().defaultTo('draft'); // draft | sent | accepted | rejected
    t.text('remark').nullable();
    t.integer('owner_id').unsigned().notNullable().references('id').inTable('users');
    t.integer('created_by').unsigned().notNullable().references('id').inTable('users');
    t.integer('version').notNullable().defaultTo(1);
    t.dateTime('deleted_at').nullable();
    timestamps(t);
    t.index(['owner_id', 'deleted_at', 'id'], 'quotes_owner');
    t.index(['deleted_at', 'id', 'owner_id'], 'quotes_all');
    t.index(['customer_id'], 'quotes_customer');
    t.index(['opportunity_id'], 'quotes_opportunity');
  });
  await createTable(knex, 'quote_items', (t) => {
    t.increments('id');
    t.integer('quote_id').unsigned().notNullable().references('id').inTable('quotes').onDelete('CASCADE');
    t.integer('product_id').unsigned().nullable().references('id').inTable('products');
    t.string('product_name', 200).notNullable(); // as quoted, should the product be renamed later
    t.decimal('quantity', 18, 2).notNullable();
    t.decimal('unit_price', 18, 2).notNullable();
    t.decimal('discount_percent', 5, 2).notNullable().defaultTo(0);
    t.decimal('line_total', 18, 2).notNullable();
    t.integer('sort').notNullable().defaultTo(0);
    t.index(['quote_id', 'sort'], 'quote_items_quote');
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['quote_items', 'quotes', 'number_sequences']);
}
