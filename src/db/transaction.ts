import type { Knex } from 'knex';
import { isDeadlock } from './errors.js';

// Every write path opens its transaction here. InnoDB may roll a transaction back as a deadlock
// victim even when locks are taken in one order (foreign-key checks and gap locks take their own):
// the work is then run again from the start, a few times, before the error reaches the user.
// SQLite writes one transaction at a time and never deadlocks.

const ATTEMPTS = 3;

/**
 * Runs `work` in a transaction and commits it; retried whole when the database chose it as a
 * deadlock victim. Inside an outer transaction it is a savepoint, and the outer one retries.
 */
export async function inTransaction<T>(
  db: Knex,
  work: (trx: Knex.Transaction) => Promise<T>,
  config?: Knex.TransactionConfig,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work, config);
    } catch (err) {
      if (db.isTransaction || attempt >= ATTEMPTS || !isDeadlock(err)) throw err;
      // A short random wait lets the winner commit before the victim runs again.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}
