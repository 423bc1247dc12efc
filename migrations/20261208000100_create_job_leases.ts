import type { Knex } from 'knex';
import { createTable, dropTables } from '../src/db/schema-helpers.js';

// One row per scheduled job (src/kernel/jobs): which slot (the scheduled fire time) was last claimed,
// by which app instance, and until when that instance holds it. Claiming is one UPDATE on this row,
// so every instance sharing the database runs a slot once. The scheduler inserts a job's row the
// first time it sees the job, so adding a job needs no migration. Times are UTC "YYYY-MM-DD HH:MM:SS",
// written by the database's own clock (one clock for every instance).
const JOB_LEASES_TABLE = 'job_leases';

export async function up(knex: Knex): Promise<void> {
  await createTable(knex, JOB_LEASES_TABLE, (t) => {
    t.string('name', 100).primary();
    t.dateTime('slot').nullable();
    t.string('holder', 200).nullable();
    t.dateTime('lease_until').nullable();
    t.dateTime('started_at').nullable();
    t.dateTime('finished_at').nullable();
    t.integer('runs').unsigned().notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables(knex, [JOB_LEASES_TABLE]);
}
