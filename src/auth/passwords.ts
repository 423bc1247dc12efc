import bcrypt from 'bcrypt';
import pLimit from 'p-limit';
import { HttpError } from '../shared/errors.js';

export const BCRYPT_COST = 12;

// A compare costs a core for a quarter of a second. A few run at once and a short queue waits;
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

export function hashPassword(plain: string): Promise<string> {
  return bcrypt.hash(plain, BCRYPT_COST);
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
