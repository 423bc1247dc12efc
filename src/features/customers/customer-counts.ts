import type { Knex } from 'knex';
import { applyOwnerScope, type OwnerScope } from '../../authz/data-scope.js';
import { inTransaction } from '../../db/transaction.js';

// How many live (not deleted) customers each owner has, kept in customer_counts so the customer
// list's total needs one summary row per owner instead of counting index entries: a rep's 5,000
// customers took 1-2.5 ms to count at a million customers, a manager's "10,000+" 3.6 ms, on every
// view of the list's first page.
//
// Kept exact by the writes: every transaction that creates a customer, moves one to another owner,
// deletes or restores one applies its change to the owners' counts (changeCustomerCounts). A bulk
// load that bypasses the app (the demo seed, the benchmark's fill, a test's fixture rows) ends with
// rebuildCustomerCounts.

export type CountChange = { ownerId: number; delta: number };

/**
 * Creates the count rows of owners who may be about to get their first customer, before the write's
 * transaction and in a statement of its own: two transactions that both insert the same missing row
 * deadlock on InnoDB (see src/db/document-number.ts), while two that update an existing one queue.
 */
export async function ensureCountRows(db: Knex, ownerIds: number[]): Promise<void> {
  const ids = [...new Set(ownerIds)];
  if (ids.length === 0) return;
  await db('customer_counts')
    .insert(ids.map((id) => ({ owner_id: id, live: 0 })))
    .onConflict('owner_id')
    .ignore();
}

/** Applies a write's changes to the owners' counts, inside the write's transaction. */
export async function changeCustomerCounts(trx: Knex.Transaction, changes: CountChange[]): Promise<void> {
  const byOwner = new Map<number, number>();
  for (const { ownerId, delta } of changes) byOwner.set(ownerId, (byOwner.get(ownerId) ?? 0) + delta);
  // In owner order, so two writes moving customers between the same owners lock their rows in the same order.
  for (const [ownerId, delta] of [...byOwner].sort(([a], [b]) => a - b)) {
    if (delta !== 0) await trx('customer_counts').where('owner_id', ownerId).increment('live', delta);
  }
}

/** Recomputes every owner's count from the customers table: after the migration and after a bulk load. */
export async function rebuildCustomerCounts(db: Knex): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx('customer_counts').delete();
    const counts = trx('customers').whereNull('deleted_at').groupBy('owner_id').select('owner_id', trx.raw('count(*) as live'));
    await trx.into(trx.raw('?? (??, ??)', ['customer_counts', 'owner_id', 'live'])).insert(counts);
  });
}

/** The live customers in the actor's scope (of one owner in it, when given), from the summary. */
export async function liveCustomerCount(db: Knex, scope: OwnerScope, ownerId?: number): Promise<number> {
  const query = applyOwnerScope(db('customer_counts'), scope, 'owner_id');
  if (ownerId) query.where('owner_id', ownerId);
  const row = await query.sum({ n: 'live' }).first();
  return Number(row?.n ?? 0);
}
