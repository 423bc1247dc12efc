import session from 'express-session';
import type { Knex } from 'knex';
import { toDbTime } from './time.js';

declare module 'express-session' {
  interface SessionData {
    passport?: { user?: number };
  }
}

/** The user passport keeps in the session once they logged in; null for an anonymous session. */
function loggedInUserOf(sess: session.SessionData): number | null {
  const user = sess.passport?.user;
  return typeof user === 'number' && Number.isSafeInteger(user) ? user : null;
}

/**
 * Ends every session of the user (all but `keepSid`, the one they are using, when given). Call it in
 * the transaction of the change that ends them: the user's next request then finds no session.
 */
export async function endSessionsOf(trx: Knex, userId: number, keepSid?: string): Promise<void> {
  const query = trx('sessions').where('user_id', userId);
  if (keepSid) query.whereNot('sid', keepSid);
  await query.delete();
}

const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
// express-session touches the session on every request; writing the new expiry once a minute per
// session is enough and spares the database a write per page view.
const TOUCH_EVERY_MS = 60 * 1000;
const TOUCH_MEMORY = 10_000;

// Sessions live in the `sessions` table (created by a migration) so that several app instances
// behind a load balancer share them. Expired rows are ignored on read and pruned now and then.
// Each row names its logged-in user (user_id), so that ending a user's sessions is one DELETE
// (endSessionsOf) in the transaction that changes their password, role or status.
export class KnexSessionStore extends session.Store {
  private lastPrune = 0;
  private readonly lastTouch = new Map<string, number>();

  constructor(private readonly db: Knex) {
    super();
  }

  private expiry(sess: session.SessionData): string {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires) : new Date(Date.now() + DEFAULT_TTL_MS);
    return toDbTime(expires);
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.db('sessions')
      .where('sid', sid)
      .where('expires_at', '>', toDbTime())
      .first('sess')
      .then((row) => callback(null, row ? JSON.parse(row.sess) : null), callback);
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const row = { sid, sess: JSON.stringify(sess), expires_at: this.expiry(sess), user_id: loggedInUserOf(sess) };
    this.db('sessions')
      .insert(row)
      .onConflict('sid')
      .merge(['sess', 'expires_at', 'user_id'])
      .then(() => this.pruneNowAndThen())
      .then(() => callback?.(), (err) => callback?.(err));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.db('sessions')
      .where('sid', sid)
      .delete()
      .then(() => callback?.(), (err) => callback?.(err));
  }

  override touch(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const now = Date.now();
    if (now - (this.lastTouch.get(sid) ?? 0) < TOUCH_EVERY_MS) return callback?.();
    if (this.lastTouch.size >= TOUCH_MEMORY) this.lastTouch.clear();
    this.lastTouch.set(sid, now);
    this.db('sessions')
      .where('sid', sid)
      .update({ expires_at: this.expiry(sess) })
      .then(() => callback?.(), (err) => callback?.(err));
  }

  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < 15 * 60 * 1000) return;
    this.lastPrune = Date.now();
    await this.db('sessions').where('expires_at', '<=', toDbTime()).delete();
  }
}
