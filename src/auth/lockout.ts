import type { Knex } from 'knex';
import { toDbTime } from '../db/time.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

export type LoginOutcome =
  | { ok: true; userId: number }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; until: string }
  // Every allowed attempt is already being checked (a flood): refused without a compare.
  | { ok: false; reason: 'throttled' };

export function isLocked(lockedUntil: string | null): boolean {
  return !!lockedUntil && lockedUntil > toDbTime();
}

// failed_logins counts the attempts on the account since its last success or lock, each counted
// BEFORE its password is compared, in one UPDATE that the database runs one at a time per row: of
// any number of attempts sent at once, at most MAX_FAILED_LOGINS get to compare while the account
// is not locked, on SQLite and on MySQL alike.

/** Counts an attempt if the account is unlocked and has an attempt left; false means refuse it unchecked. */
export async function claimLoginAttempt(db: Knex, userId: number): Promise<boolean> {
  const claimed = await db('users')
    .where('id', userId)
    .where('failed_logins', '<', MAX_FAILED_LOGINS)
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<=', toDbTime()))
    .update({ failed_logins: db.raw('failed_logins + 1') });
  return claimed === 1;
}

/** Gives back an attempt whose password was never compared (the server was too busy to). */
export async function releaseLoginAttempt(db: Knex, userId: number): Promise<void> {
  await db('users').where('id', userId).where('failed_logins', '>', 0).decrement('failed_logins', 1);
}

/** A counted attempt failed: once every allowed attempt is used, the account locks for LOCK_MINUTES. */
export async function recordFailedLogin(db: Knex, userId: number): Promise<LoginOutcome> {
  const until = toDbTime(new Date(Date.now() + LOCK_MINUTES * 60_000));
  const locked = await db('users')
    .where('id', userId)
    .where('failed_logins', '>=', MAX_FAILED_LOGINS)
    .update({ locked_until: until, failed_logins: 0 });
  return locked === 1 ? { ok: false, reason: 'locked', until } : { ok: false, reason: 'invalid' };
}

/** Why an attempt that could not be counted is refused: the lock, or a flood using every attempt. */
export async function refusedUnchecked(db: Knex, userId: number): Promise<LoginOutcome> {
  const user = await db('users').where('id', userId).first('locked_until');
  return user && isLocked(user.locked_until) ? { ok: false, reason: 'locked', until: user.locked_until } : { ok: false, reason: 'throttled' };
}

export async function recordSuccessfulLogin(db: Knex, userId: number): Promise<void> {
  await db('users').where('id', userId).update({ failed_logins: 0, locked_until: null, last_login_at: toDbTime() });
}

export async function unlockUser(db: Knex, userId: number): Promise<void> {
  await db('users').where('id', userId).update({ failed_logins: 0, locked_until: null });
}
