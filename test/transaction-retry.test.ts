import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMysql } from '../src/db/schema-helpers.js';
import { inTransaction } from '../src/db/transaction.js';
import { insertCustomer } from './support/records.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// inTransaction runs a deadlock victim again, whole: two transactions that lock two customers in
// opposite orders both commit, one of them on its second attempt. SQLite runs one writer at a time,
// so there both simply commit on the first attempt.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
});
afterAll(() => t.close());

describe('inTransaction', () => {
  it('runs the deadlock victim again and both transactions commit', async () => {
    const [a, b] = [await insertCustomer(t, 'rep1'), await insertCustomer(t, 'rep1')];
    const attempts = { first: 0, second: 0 };
    let arrived = 0;
    let release!: () => void;
    const bothHoldOne = new Promise<void>((resolve) => (release = resolve));
    // Each transaction locks its own row, waits (first attempt only) until the other holds its row
    // too, then wants the other's row: a cycle InnoDB breaks by rolling one back.
    const lockBoth = (own: number, other: number, key: 'first' | 'second', remark: string) =>
      inTransaction(t.db, async (trx) => {
        attempts[key]++;
        await trx('customers').where('id', own).update({ remark });
        if (attempts[key] === 1 && isMysql(t.db)) {
          if (++arrived === 2) release();
          await bothHoldOne;
        }
        await trx('customers').where('id', other).update({ remark });
      });
    await Promise.all([lockBoth(a, b, 'first', 'first'), lockBoth(b, a, 'second', 'second')]);
    const remarks = (await t.db('customers').whereIn('id', [a, b]).pluck('remark')) as string[];
    expect(new Set(remarks).size).toBe(1);
    if (isMysql(t.db)) expect(attempts.first + attempts.second).toBe(3);
    else expect(attempts).toEqual({ first: 1, second: 1 });
  });

  it('does not run again what failed for another reason', async () => {
    let attempts = 0;
    await expect(
      inTransaction(t.db, async () => {
        attempts++;
        throw new Error('not a deadlock');
      }),
    ).rejects.toThrow('not a deadlock');
    expect(attempts).toBe(1);
  });
});
