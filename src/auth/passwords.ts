import bcrypt from 'bcrypt';
import pLimit from 'p-limit';
import type { Config } from '../config.js';
import { HttpError } from '../shared/errors.js';

// Cost 12 wherever real passwords live. The test suite hashes and compares demo passwords hundreds
// of times, so under NODE_ENV=test only the cost is 4 (a millisecond instead of a quarter second).
// A test that needs the real cost asks for it: hashPassword's cost argument, or NODE_ENV=production
// while it imports this module (login-flood.bcrypt.test.ts). A hash carries its own cost, so a hash
// of either cost verifies anywhere.
export const PRODUCTION_BCRYPT_COST = 12;
export const TEST_BCRYPT_COST = 4;

/** The cost for a configured environment: the test cost for exactly 'test', the real one otherwise. */
export function bcryptCostFor(env: Config['env'] | undefined): number {
  return env === 'test' ? TEST_BCRYPT_COST : PRODUCTION_BCRYPT_COST;
}

// Read from process.env as loadConfig() reads it in server.ts (NODE_ENV is 'development',
// 'production' or 'test'; the config refuses anything else), once, when the module loads: hashing
// happens in places (seeds, the admin CLI) that have no config object at hand.
export const BCRYPT_COST = bcryptCostFor(process.env.NODE_ENV as Config['env'] | undefined);

// At cost 12 a compare costs a core for a quarter of a second. A few run at once and a short queue waits;
// past that a login is refused at once (PasswordChecksBusyError, 503) instead of queueing behind a
// flood of failed logins, so a real user waits at most about a second and can try again.
export const COMPARES_AT_ONCE = 2;
export const COMPARES_QUEUED = 6;
const compares = pLimit(COMPARES_AT_ONCE);

export class PasswordChecksBusyError extends HttpError {
  constructor() {
    super(503, 'Too many password checks in flight');
  }
}

/** Throws PasswordChecksBusyError when a compare now would have to wait behind a full queue. */
export function assertRoomForPasswordCheck(): void {
  if (compares.activeCount + compares.pendingCount >= COMPARES_AT_ONCE + COMPARES_QUEUED) throw new PasswordChecksBusyError();
}

function boundedCompare(plain: string, hash: string): Promise<boolean> {
  assertRoomForPasswordCheck();
  return compares(() => bcrypt.compare(plain, hash));
}

export function hashPassword(plain: string, cost: number = BCRYPT_COST): Promise<string> {
  return bcrypt.hash(plain, cost);
}

export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return boundedCompare(plain, hash);
}

let dummyHash: Promise<string> | undefined;

/** Spends the same bcrypt time for an unknown username, so response time does not reveal which names exist. */
export async function spendVerifyTime(plain: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password');
  await boundedCompare(plain, await dummyHash);
}
