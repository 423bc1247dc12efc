import type { Knex } from 'knex';
import { toDbTime } from '../../db/time.js';
import { writeAudit } from '../../shared/audit.js';
import { ConflictError } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import { pipelineTransaction } from './pipeline-totals.js';

// A customer's opportunities follow it into the recycle bin and back out. Deleting a customer
// deletes its live opportunities, flagged deleted_with_customer; restoring it restores the flagged
// ones, so an opportunity deleted on its own before stays deleted. Without this a
// deleted customer's deals stayed on the board, in the totals and on My day, their cards leading to
// a customer page that answers 404.

/** The customer is deleted (at that moment) or restored. */
export type CustomerMove = { kind: 'delete'; at: string } | { kind: 'restore' };

/**
 * Runs a customer's delete or restore (`work`) and moves its opportunities with it, in one
 * transaction that holds the pipeline locks of their owners and recomputes their totals.
 */
export async function withCustomerOpportunities(
  db: Knex,
  customerId: number,
  move: CustomerMove,
  actorId: number,
  info: RequestInfo,
  work: (trx: Knex.Transaction) => Promise<void>,
): Promise<void> {
  const following = (q: Knex) => {
    const query = q('opportunities').where('customer_id', customerId);
    return move.kind === 'delete' ? query.whereNull('deleted_at') : query.whereNotNull('deleted_at').where('deleted_with_customer', true);
  };
  const owners: number[] = (await following(db).distinct('owner_id')).map((row: { owner_id: number }) => row.owner_id);
  await pipelineTransaction(db, owners, async (trx) => {
    await work(trx);
    const rows: Array<{ id: number; owner_id: number; deleted_at: string | null }> = await following(trx).forUpdate().select('id', 'owner_id', 'deleted_at');
    // One was created or moved to another owner meanwhile, whose totals are not locked: try again.
    if (rows.some((row) => !owners.includes(row.owner_id))) throw new ConflictError();
    if (rows.length === 0) return;
    const deletedAt = move.kind === 'delete' ? move.at : null;
    await trx('opportunities')
      .whereIn('id', rows.map((row) => row.id))
      .update({ deleted_at: deletedAt, deleted_with_customer: deletedAt !== null, updated_at: toDbTime(), version: trx.raw('version + 1') });
    for (const row of rows) {
      await writeAudit(trx, {
        entity: 'opportunity',
        entityId: row.id,
        action: move.kind,
        actorId,
        changes: { deleted_at: { before: row.deleted_at, after: deletedAt } },
        ip: info.ip,
      });
    }
  });
}
