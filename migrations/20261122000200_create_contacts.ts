import type { Knex } from 'knex';
import { createTable, dropTables, timestamps } from '../src/db/schema-helpers.js';

// A contact belongs to one customer and is seen by whoever sees that customer. Deleting a contact
// removes the row (its audit row keeps what it was), so its phone can be used again at once.
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'contacts', (t) => {
    t.increments('id');
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.string('name', 100).notNullable();
    t.string('title', 100).nullable();
    t.string('phone', 50).nullable();
    t.string('email', 200).nullable();
    t.string('wechat', 100).nullable();
    t.boolean('is_key_decision_maker').notNullable().defaultTo(false);
    t.date('birthday').nullable();
    t.text('remark').nullable();
    t.integer('created_by').unsigned().notNullable().references('id').inTable('users');
    t.integer('version').notNullable().defaultTo(1);
    timestamps(t);
    // Phone unique within one customer; NULLs (no phone) do not collide on MySQL or SQLite.
    t.unique(['customer_id', 'phone'], { indexName: 'contacts_customer_phone' });
    t.index(['name'], 'contacts_name');
    t.index(['phone'], 'contacts_phone');
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['contacts']);
}
