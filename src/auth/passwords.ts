import bcrypt from 'bcrypt';

export const BCRYPT_COST = 12;

export function hashPassword(plain: string): Promise<string> {
  return bcrypt.hash(plain, BCRYPT_COST);
}

export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return bcrypt.compare(plain, hash);
}

let dummyHash: Promise<string> | undefined;

/** Spends the same bcrypt time for an unknown username, so response time does not reveal which names exist. */
export async function spendVerifyTime(plain: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password');
  await bcrypt.compare(plain, await dummyHash);
}
