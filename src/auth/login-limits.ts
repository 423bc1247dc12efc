import type { Knex } from 'knex';
import { RateLimiterMySQL, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { isMysql } from '../db/schema-helpers.js';

// Login attempts per client address and per username, counted by rate-limiter-flexible in the
// login_limits table (made by a migration) so that every app instance behind a load balancer counts
// the same attempts. The lockout (lockout.ts) guards one account's password; these limits stop a
// flood before it reaches bcrypt at all, and stop one address walking many usernames.
export const LOGIN_LIMITS = {
  perIp: { points: 20, duration: 60 },
  perUsername: { points: 10, duration: 15 * 60 },
} as const;

const TABLE = 'login_limits';
const PRUNE_EVERY_MS = 15 * 60 * 1000;
// The table's key is 255 characters; a username or address longer than a real one is cut.
const KEY_PART_MAX = 100;

export type LimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

export type LoginLimits = {
  /** Counts an attempt; refused when its address or its username has used up its attempts. */
  consume(ip: string | null, username: string): Promise<LimitVerdict>;
  /**
   * A successful login gives its address's attempt back and forgets the username's count: the limits
   * are for guessing, and a whole office behind one address may log in at nine o'clock.
   */
  succeeded(ip: string | null, username: string): Promise<void>;
};

function limiter(db: Knex, databaseName: string, keyPrefix: string, options: { points: number; duration: number }): RateLimiterAbstract {
  const common = { storeClient: db, storeType: 'knex', tableName: TABLE, tableCreated: true, clearExpiredByTimeout: false, keyPrefix, ...options };
  return isMysql(db) ? new RateLimiterMySQL({ ...common, dbName: databaseName }) : new RateLimiterSQLite(common);
}

const ipKey = (ip: string | null) => (ip ?? 'unknown').slice(0, KEY_PART_MAX);
const usernameKey = (username: string) => username.trim().toLowerCase().slice(0, KEY_PART_MAX);

export function createLoginLimits(db: Knex, databaseUrl: string): LoginLimits {
  // The MySQL store names its table with the database (`db`.`login_limits`).
  const databaseName = isMysql(db) ? decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) : '';
  const byIp = limiter(db, databaseName, 'login_ip', LOGIN_LIMITS.perIp);
  const byUsername = limiter(db, databaseName, 'login_user', LOGIN_LIMITS.perUsername);
  let lastPrune = 0;

  async function pruneNowAndThen(): Promise<void> {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    await db(TABLE).where('expire', '<', Date.now()).delete();
  }

  async function consume(target: RateLimiterAbstract, key: string): Promise<LimitVerdict> {
    try {
      await target.consume(key);
      return { ok: true };
    } catch (err) {
      // The library rejects with its RateLimiterRes when the limit is reached, with an Error otherwise.
      if (err instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      throw err;
    }
  }

  return {
    async consume(ip, username) {
      await pruneNowAndThen();
      const perIp = await consume(byIp, ipKey(ip));
      if (!perIp.ok) return perIp;
      return consume(byUsername, usernameKey(username));
    },
    async succeeded(ip, username) {
      await byIp.reward(ipKey(ip), 1);
      await byUsername.delete(usernameKey(username));
    },
  };
}
