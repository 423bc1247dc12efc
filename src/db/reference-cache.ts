import type { Knex } from 'knex';
import { inTransaction } from './transaction.js';

// Reference data that every page reads and that changes rarely: who the logged-in user is (role,
// permissions), the organisation (departments and users, from which a manager's scope and the owner
// picker are computed) and the dictionaries. Reading them on every request was most of a page's
// statements, so each app instance keeps them for a few seconds.
//
// A write through this instance forgets them at once (forgetReferenceData). Other instances behind
// the load balancer see the change within REFERENCE_TTL_MS; a deactivated user, a user whose role
// changed and one whose password was reset are still logged out at once everywhere, because those
// changes delete their sessions (src/features/admin-users/users.rules.ts), and sessions are never cached.
// Reads inside a transaction are never cached: a write decides on the current rows.
export const REFERENCE_TTL_MS = 5_000;

type Entry = { expires: number; value: Promise<unknown> };
const entriesOf = new WeakMap<Knex, Map<string, Entry>>();

export function cachedReference<T>(db: Knex, key: string, load: () => PromiseLike<T>): Promise<T> {
  if (db.isTransaction) return Promise.resolve(load());
  let entries = entriesOf.get(db);
  if (!entries) {
    entries = new Map();
    entriesOf.set(db, entries);
  }
  const now = Date.now();
  const cached = entries.get(key);
  if (cached && cached.expires > now) return cached.value as Promise<T>;
  // Promise.resolve: a Knex query builder is a thenable that runs again on every await.
  const value = Promise.resolve(load());
  const entry = { expires: now + REFERENCE_TTL_MS, value };
  entries.set(key, entry);
  // A failed read is not remembered; the next request asks again.
  value.catch(() => {
    if (entries.get(key) === entry) entries.delete(key);
  });
  return value;
}

/** Call after writing users, roles, permissions, departments or dictionaries. */
export function forgetReferenceData(db: Knex): void {
  entriesOf.get(db)?.clear();
}

/** A transaction that writes reference data; this instance forgets its copy once it ends. */
export async function referenceTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(db, work);
  } finally {
    forgetReferenceData(db);
  }
}
