import type { Knex } from 'knex';
import { toDbTime } from '../../db/time.js';
import type { Hook } from '../../kernel/data/hooks.js';
import type { WriteOp } from '../../kernel/data/write.js';
import { writeAudit } from '../../shared/audit.js';
import { ConflictError } from '../../shared/errors.js';
import { lockPipelines, preparePipelineLocks, refreshPipelineTotals } from './pipeline-totals.js';

// A customer's opportunities follow it into the recycle bin and back out. Deleting a customer
// deletes its live opportunities, flagged deleted_with_customer; restoring it restores the flagged
// ones, so an opportunity deleted on its own before stays deleted. Without this a deleted
// customer's deals stayed on the board, in the totals and on My day, their cards leading to a
// customer page that answers 404. A hook of the customer's write: its transaction holds the
// pipeline locks of the opportunities' owners and recomputes their totals.

type Moving = { owners: number[] };

function following(q: Knex, customerId: number, kind: 'delete' | 'restore'): Knex.QueryBuilder {
  const query = q('opportunities').where('customer_id', customerId);
  return kind === 'delete' ? query.whereNull('deleted_at') : query.whereNotNull('deleted_at').where('deleted_with_customer', true);
}

const moves = (op: WriteOp): op is { kind: 'delete' | 'restore'; id: number; version?: number } => op.kind === 'delete' || op.kind === 'restore';

export const customerOpportunities: Hook = {
  async prepare(db, op) {
    if (!moves(op)) return undefined;
    const owners: number[] = (await following(db, op.id, op.kind).distinct('owner_id')).map((row: { owner_id: number }) => row.owner_id);
    await preparePipelineLocks(db, owners);
    return { owners } satisfies Moving;
  },
  async lock(c) {
    const moving = c.prepared.get(customerOpportunities) as Moving | undefined;
    if (moving?.owners.length) await lockPipelines(c.trx, moving.owners);
  },
  async after(c) {
    const moving = c.prepared.get(customerOpportunities) as Moving | undefined;
    if (!moving || !moves(c.op)) return;
    const kind = c.op.kind;
    const rows: Array<{ id: number; owner_id: number; deleted_at: string | null }> = await following(c.trx, c.id, kind).forUpdate().select('id', 'owner_id', 'deleted_at');
    // One was created or moved to another owner meanwhile, whose totals are not locked: try again.
    if (rows.some((row) => !moving.owners.includes(row.owner_id))) throw new ConflictError();
    if (rows.length === 0) return;
    const deletedAt = kind === 'delete' ? toDbTime() : null;
    await c.trx('opportunities')
      .whereIn('id', rows.map((row) => row.id))
      .update({ deleted_at: deletedAt, deleted_with_customer: deletedAt !== null, updated_at: toDbTime(), version: c.trx.raw('version + 1') });
    for (const row of rows) {
      await writeAudit(c.trx, {
        entity: 'opportunity',
        entityId: row.id,
        action: kind,
        actorId: c.actor.id,
        changes: { deleted_at: { before: row.deleted_at, after: deletedAt } },
        ip: c.info.ip,
      });
    }
    await refreshPipelineTotals(c.trx, moving.owners);
  },
};
