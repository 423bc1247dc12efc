import type { Knex } from 'knex';
import { createTable, dropTables, timestamps } from '../src/db/schema-helpers.js';

// Money is DECIMAL(18,2) everywhere: exact on MySQL. SQLite keeps such a column as a number, so the
// application never adds money in SQL without rounding to cents (src/shared/money.ts).
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'product_categories', (t) => {
    t.increments('id');
    t.integer('parent_id').unsigned().nullable().references('id').inTable('product_categories');
    t.string('name_zh', 100).notNullable();
    t.string('name_en', 100).notNullable();
    t.integer('sort').notNullable().defaultTo(0);
    timestamps(t);
    t.index(['parent_id']);
  });
  await createTable(knex, 'products', (t) => {
    t.increments('id');
    t.integer('category_id').unsigned().nullable().references('id').inTable('product_categories');
    t.string('name', 200).notNullable();
    t.string('code', 50).notNullable().unique();
    t.string('spec', 200).nullable();
    t.string('unit', 20).nullable();
    t.decimal('list_price', 18, 2).notNullable().defaultTo(0);
    t.decimal('cost', 18, 2).nullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.integer('version').notNullable().defaultTo(1);
    timestamps(t);
    t.index(['category_id']);
    t.index(['name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['products', 'product_categories']);
}
