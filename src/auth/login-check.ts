import type { Knex } from 'knex';
import { toDbTime } from '../db/time.js';
import {
  claimLoginAttempt,
  recordFailedLogin,
  recordSuccessfulLogin,
  refusedUnchecked,
  releaseLoginAttempt,
  type LoginOutcome,
} from './lockout.js';
import { assertRoomForPasswordCheck, spendVerifyTime, verifyPassword } from './passwords.js';

export type LoginAttempt = { username: string; password: string; ip: string | null; userAgent: string | null };

/**
 * Checks a username and password, applies the lockout rule and writes the attempt to login_log.
 * Throws PasswordChecksBusyError (nothing counted) when too many password checks are in flight.
 */
export async function checkLogin(db: Knex, attempt: LoginAttempt): Promise<LoginOutcome> {
  assertRoomForPasswordCheck();
  const user = await db('users').where('username', attempt.username).first('id', 'password_hash', 'is_active');
  const outcome = await decide(db, user, attempt.password);
  await db('login_log').insert({
    user_id: user?.id ?? null,
    username: attempt.username.slice(0, 64),
    success: outcome.ok,
    ip: attempt.ip,
    user_agent: attempt.userAgent?.slice(0, 500) ?? null,
    at: toDbTime(),
  });
  return outcome;
}

async function decide(
  db: Knex,
  user: { id: number; password_hash: string; is_active: number | boolean } | undefined,
  password: string,
): Promise<LoginOutcome> {
  if (!user || !user.is_active) {
    await spendVerifyTime(password);
    return { ok: false, reason: 'invalid' };
  }
  // Counted before the compare: a flood cannot have more passwords compared than the rule allows.
  if (!(await claimLoginAttempt(db, user.id))) return refusedUnchecked(db, user.id);
  let matches: boolean;
  try {
    matches = await verifyPassword(password, user.password_hash);
  } catch (err) {
    await releaseLoginAttempt(db, user.id);
    throw err;
  }
  if (!matches) return recordFailedLogin(db, user.id);
  await recordSuccessfulLogin(db, user.id);
  return { ok: true, userId: user.id };
}
