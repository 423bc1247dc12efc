import type { Knex } from 'knex';
import { createTable, dropTables } from '../src/db/schema-helpers.js';

// Sessions name their logged-in user, so that a password reset, a deactivation or a role change can
// end that user's sessions in the same transaction (nullable: an anonymous session has no user).
//
// login_limits holds the login rate limits' counters (rate-limiter-flexible's MySQL and SQLite
// stores), in the database so that every app instance counts the same attempts. The library's own
// table layout, column for column: its INSERT names no columns on MySQL. Created here, never by the
// library at run time.
const LOGIN_LIMITS_TABLE = 'login_limits';

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('sessions', 'user_id'))) {
    await knex.schema.alterTable('sessions', (t) => {
      t.integer('user_id').unsigned().nullable();
      t.index(['user_id'], 'sessions_user_id');
    });
  }
  await createTable(knex, LOGIN_LIMITS_TABLE, (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire').unsigned().nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, [LOGIN_LIMITS_TABLE]);
  if (await knex.schema.hasColumn('sessions', 'user_id')) {
    await knex.schema.alterTable('sessions', (t) => {
      t.dropIndex(['user_id'], 'sessions_user_id');
      t.dropColumn('user_id');
    });
  }
}
