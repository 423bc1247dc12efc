import type { Knex } from 'knex';
import { toDbTime } from '../db/time.js';
import { inTransaction } from '../db/transaction.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

export type LoginOutcome =
  | { ok: true; userId: number }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; until: string };

export function isLocked(lockedUntil: string | null): boolean {
  return !!lockedUntil && lockedUntil > toDbTime();
}

/** Counts a failed password; the fifth in a row locks the account for LOCK_MINUTES. */
export async function recordFailedLogin(db: Knex, userId: number): Promise<LoginOutcome> {
  return inTransaction(db, async (trx) => {
    await trx('users').where('id', userId).increment('failed_logins', 1);
    const user = await trx('users').where('id', userId).first('failed_logins');
    if (user.failed_logins < MAX_FAILED_LOGINS) return { ok: false, reason: 'invalid' } as const;
    const until = toDbTime(new Date(Date.now() + LOCK_MINUTES * 60_000));
    await trx('users').where('id', userId).update({ locked_until: until, failed_logins: 0 });
    return { ok: false, reason: 'locked', until } as const;
  });
}

export async function recordSuccessfulLogin(db: Knex, userId: number): Promise<void> {
  await db('users').where('id', userId).update({ failed_logins: 0, locked_until: null, last_login_at: toDbTime() });
}

export async function unlockUser(db: Knex, userId: number): Promise<void> {
  await db('users').where('id', userId).update({ failed_logins: 0, locked_until: null });
}
