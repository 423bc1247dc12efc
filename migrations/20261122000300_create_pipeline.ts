import type { Knex } from 'knex';
import { createTable, dropTables, timestamps } from '../src/db/schema-helpers.js';

export async function up(knex: Knex): Promise<void> {
  // Stages are data the admin edits at /admin/stages; kind says which ones end the pipeline.
  await createTable(knex, 'pipeline_stages', (t) => {
    t.increments('id');
    t.string('code', 40).notNullable().unique();
    t.string('name_zh', 100).notNullable();
    t.string('name_en', 100).notNullable();
    t.integer('sort').notNullable().defaultTo(0);
    t.integer('probability').notNullable().defaultTo(0); // percent, 0-100
    t.string('kind', 10).notNullable().defaultTo('open'); // open | won | lost
    t.boolean('is_active').notNullable().defaultTo(true);
    timestamps(t);
  });
  await createTable(knex, 'opportunities', (t) => {
    t.increments('id');
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.string('title', 200).notNullable();
    t.decimal('amount', 18, 2).notNullable().defaultTo(0);
    t.string('currency', 3).notNullable().defaultTo('CNY');
    t.integer('stage_id').unsigned().notNullable().references('id').inTable('pipeline_stages');
    t.integer('probability').notNullable().defaultTo(0);
    t.date('expected_close_date').nullable();
    // When the opportunity entered its current stage: the stage rule counts follow-ups since then.
    t.dateTime('stage_entered_at').notNullable();
    t.string('lost_reason', 40).nullable(); // dictionary lost_reason, required when lost
    t.text('remark').nullable();
    t.integer('owner_id').unsigned().notNullable().references('id').inTable('users');
    t.integer('created_by').unsigned().notNullable().references('id').inTable('users');
    t.integer('version').notNullable().defaultTo(1);
    t.dateTime('deleted_at').nullable();
    timestamps(t);
    // A rep's board and list: their open opportunities by stage; My day: closing this month.
    t.index(['owner_id', 'deleted_at', 'stage_id', 'expected_close_date'], 'opportunities_owner_stage');
    t.index(['owner_id', 'deleted_at', 'expected_close_date'], 'opportunities_owner_close');
    t.index(['deleted_at', 'stage_id', 'expected_close_date', 'owner_id'], 'opportunities_all_stage');
    t.index(['deleted_at', 'expected_close_date', 'owner_id'], 'opportunities_all_close');
    t.index(['customer_id'], 'opportunities_customer');
  });
  await createTable(knex, 'opportunity_products', (t) => {
    t.integer('opportunity_id').unsigned().notNullable().references('id').inTable('opportunities');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products');
    t.primary(['opportunity_id', 'product_id']);
  });
  // Every stage change, for the timeline and for conversion reports.
  await createTable(knex, 'opportunity_stage_history', (t) => {
    t.increments('id');
    t.integer('opportunity_id').unsigned().notNullable().references('id').inTable('opportunities');
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.integer('from_stage_id').unsigned().nullable().references('id').inTable('pipeline_stages');
    t.integer('to_stage_id').unsigned().notNullable().references('id').inTable('pipeline_stages');
    t.integer('changed_by').unsigned().notNullable().references('id').inTable('users');
    t.dateTime('changed_at').notNullable();
    t.index(['opportunity_id', 'changed_at'], 'stage_history_opportunity');
    t.index(['customer_id', 'changed_at'], 'stage_history_customer');
    t.index(['to_stage_id', 'changed_at'], 'stage_history_to_stage');
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['opportunity_stage_history', 'opportunity_products', 'opportunities', 'pipeline_stages']);
}
