import type { Knex } from 'knex';
import { createTable, dropTables, timestamps } from '../src/db/schema-helpers.js';

export async function up(knex: Knex): Promise<void> {
  await createTable(knex, 'departments', (t) => {
    t.increments('id');
    t.string('name_zh', 100).notNullable();
    t.string('name_en', 100).notNullable();
    t.integer('parent_id').unsigned().nullable().references('id').inTable('departments');
    t.integer('sort').notNullable().defaultTo(0);
    timestamps(t);
  });
  await createTable(knex, 'roles', (t) => {
    t.increments('id');
    t.string('code', 32).notNullable().unique();
    t.string('name_zh', 100).notNullable();
    t.string('name_en', 100).notNullable();
    // own | department_tree | all
    t.string('data_scope', 20).notNullable();
    timestamps(t);
  });
  await createTable(knex, 'role_permissions', (t) => {
    t.integer('role_id').unsigned().notNullable().references('id').inTable('roles').onDelete('CASCADE');
    t.string('permission', 64).notNullable();
    t.primary(['role_id', 'permission']);
  });
  await createTable(knex, 'users', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().unique();
    t.string('password_hash', 100).notNullable();
    t.string('display_name', 100).notNullable();
    t.string('email', 200).nullable();
    t.string('phone', 50).nullable();
    t.integer('role_id').unsigned().notNullable().references('id').inTable('roles');
    t.integer('department_id').unsigned().nullable().references('id').inTable('departments');
    t.string('locale', 10).nullable();
    t.string('time_zone', 64).notNullable().defaultTo('Asia/Shanghai');
    t.boolean('is_active').notNullable().defaultTo(true);
    t.dateTime('last_login_at').nullable();
    t.integer('failed_logins').notNullable().defaultTo(0);
    t.dateTime('locked_until').nullable();
    timestamps(t);
    t.index(['department_id']);
  });
  await createTable(knex, 'sessions', (t) => {
    t.string('sid', 128).primary();
    t.text('sess').notNullable();
    t.dateTime('expires_at').notNullable().index();
  });
  await createTable(knex, 'login_log', (t) => {
    t.bigIncrements('id');
    t.integer('user_id').unsigned().nullable().references('id').inTable('users');
    t.string('username', 64).notNullable();
    t.boolean('success').notNullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 500).nullable();
    t.dateTime('at').notNullable();
    t.index(['user_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, ['login_log', 'sessions', 'users', 'role_permissions', 'roles', 'departments']);
}
