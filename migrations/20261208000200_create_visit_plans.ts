import type { Knex } from 'knex';
import { createTable, dropTables, timestamps } from '../src/db/schema-helpers.js';

// Visit plans (拜访计划, seed 001's crm_visit_plan): a rep plans a visit to a customer; marking it
// done logs a follow-up of type visit. Seen through the customer (no owner scope of their own), so
// every list read starts from the customer join; owner_id is whom the visit is planned for.
const GRANTS: Record<string, string[]> = {
  admin: ['visits.view', 'visits.create', 'visits.edit', 'visits.delete', 'visits.restore'],
  manager: ['visits.view', 'visits.create', 'visits.edit', 'visits.delete', 'visits.restore'],
  rep: ['visits.view', 'visits.create', 'visits.edit', 'visits.delete'],
};

export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'visit_plans', (t) => {
    t.increments('id');
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.integer('owner_id').unsigned().notNullable().references('id').inTable('users');
    t.string('purpose', 200).notNullable();
    t.dateTime('planned_at').notNullable();
    t.string('address', 300).nullable();
    t.text('materials').nullable();
    t.string('status', 20).notNullable().defaultTo('planned');
    t.text('summary').nullable();
    t.boolean('is_overdue').notNullable().defaultTo(false);
    t.integer('created_by').unsigned().notNullable().references('id').inTable('users');
    t.integer('version').unsigned().notNullable().defaultTo(1);
    timestamps(t);
    t.dateTime('deleted_at').nullable();
    t.index(['customer_id', 'planned_at'], 'visit_plans_customer');
    t.index(['owner_id', 'planned_at'], 'visit_plans_owner_planned');
    t.index(['planned_at', 'id'], 'visit_plans_planned');
    // The overdue job's walk: planned visits not yet marked, by time.
    t.index(['status', 'is_overdue', 'planned_at'], 'visit_plans_due');
  });
  await createTable(knex, 'visit_plan_participants', (t) => {
    t.integer('visit_plan_id').unsigned().notNullable().references('id').inTable('visit_plans').onDelete('CASCADE');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users');
    t.primary(['visit_plan_id', 'user_id']);
    t.index(['user_id'], 'visit_plan_participants_user');
  });
  await knex.transaction(async (trx) => {
    for (const [code, permissions] of Object.entries(GRANTS)) {
      const role = await trx('roles').where('code', code).first('id');
      if (!role) continue;
      for (const permission of permissions) {
        if (await trx('role_permissions').where({ role_id: role.id, permission }).first()) continue;
        await trx('role_permissions').insert({ role_id: role.id, permission });
      }
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('role_permissions').whereIn('permission', [...new Set(Object.values(GRANTS).flat())]).delete();
  await dropTables(knex, ['visit_plan_participants', 'visit_plans']);
}
