import type { Knex } from 'knex';
import { toDbTime } from '../db/time.js';
import { isLocked, recordFailedLogin, recordSuccessfulLogin, type LoginOutcome } from './lockout.js';
import { spendVerifyTime, verifyPassword } from './passwords.js';

export type LoginAttempt = { username: string; password: string; ip: string | null; userAgent: string | null };

/** Checks a username and password, applies the lockout rule and writes the attempt to login_log. */
export async function checkLogin(db: Knex, attempt: LoginAttempt): Promise<LoginOutcome> {
  const user = await db('users')
    .where('username', attempt.username)
    .first('id', 'password_hash', 'is_active', 'locked_until');
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
  user: { id: number; password_hash: string; is_active: number | boolean; locked_until: string | null } | undefined,
  password: string,
): Promise<LoginOutcome> {
  if (!user || !user.is_active) {
    await spendVerifyTime(password);
    return { ok: false, reason: 'invalid' };
  }
  if (isLocked(user.locked_until)) return { ok: false, reason: 'locked', until: user.locked_until! };
  if (!(await verifyPassword(password, user.password_hash))) return recordFailedLogin(db, user.id);
  await recordSuccessfulLogin(db, user.id);
  return { ok: true, userId: user.id };
}
