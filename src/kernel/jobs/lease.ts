import type { Knex } from 'knex';
import { isMysql } from '../../db/schema-helpers.js';
import { toDbTime } from '../../db/time.js';

// A job runs on every app instance's schedule, but a slot (one scheduled fire time) must run once.
// Each job has one job_leases row; an instance claims a slot with one conditional UPDATE of that
// row, so the database decides between instances firing at the same moment. Lease times come from
// the database's clock, not each instance's, so skewed instance clocks cannot shorten a lease.
// Times are whole seconds (DATETIME in both dialects); a lease is rounded up to whole seconds.

const TABLE = 'job_leases';

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The database's current UTC time, as "YYYY-MM-DD HH:MM:SS", plus `ms` rounded up to seconds. */
function dbNow(db: Knex, ms = 0): Knex.Raw {
  const add = ms > 0 ? seconds(ms) : 0;
  if (isMysql(db)) return add ? db.raw('UTC_TIMESTAMP() + INTERVAL ? SECOND', [add]) : db.raw('UTC_TIMESTAMP()');
  return add ? db.raw(`datetime('now', ?)`, [`+${add} seconds`]) : db.raw(`datetime('now')`);
}

/**
 * Creates the rows of the named jobs that have none yet. Safe when several instances start at once:
 * an existing row (another instance's, or one being inserted this moment) is left as it is.
 */
export async function ensureLeaseRows(db: Knex, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await db(TABLE)
    .insert(names.map((name) => ({ name, runs: 0 })))
    .onConflict('name')
    .ignore();
}

/**
 * Claims `slot` of job `name` for `holder` for `ms`: true when this holder won. It wins only when the
 * slot is newer than the last one claimed (so an instance firing a moment later, or a lagging one
 * firing an older slot, finds it taken) and no lease is running (a long run is not overlapped; a
 * holder that crashed mid-run is taken over once its lease has expired).
 */
export async function tryLease(db: Knex, name: string, slot: Date, holder: string, ms: number): Promise<boolean> {
  const now = dbNow(db);
  const claimed = await db(TABLE)
    .where({ name })
    .andWhere((q) => q.whereNull('slot').orWhere('slot', '<', toDbTime(slot)))
    .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
    .update({ slot: toDbTime(slot), holder, lease_until: dbNow(db, ms), started_at: dbNow(db), finished_at: null });
  return claimed === 1;
}

/** Extends a running lease by `ms` from now; false when this holder no longer holds the slot. */
export async function renewLease(db: Knex, name: string, slot: Date, holder: string, ms: number): Promise<boolean> {
  const renewed = await db(TABLE)
    .where({ name, slot: toDbTime(slot), holder })
    .whereNotNull('lease_until')
    .update({ lease_until: dbNow(db, ms) });
  return renewed === 1;
}

/**
 * Ends the run: the lease is freed at once (the next slot need not wait for it to expire), the run
 * is counted and its end time kept. A no-op when another holder has taken the row over meanwhile.
 */
export async function releaseLease(db: Knex, name: string, slot: Date, holder: string): Promise<boolean> {
  const released = await db(TABLE)
    .where({ name, slot: toDbTime(slot), holder })
    .whereNotNull('lease_until')
    .update({ lease_until: null, finished_at: dbNow(db), runs: db.raw('?? + 1', ['runs']) });
  return released === 1;
}
