import type { Knex } from 'knex';
import { ownerBranchId } from '../../authz/data-scope.js';
import type { Hook, WriteContext } from '../../kernel/data/hooks.js';
import { ValidationError, type FieldErrors } from '../../shared/errors.js';
import { customerOpportunities } from '../opportunities/index.js';
import { changeCustomerCounts, ensureCountRows } from './customer-counts.js';

// What a customer's write keeps right beside the row, whoever writes it (a form, a transfer, an
// import): its owner's branch, the owners' live counts, its opportunities on a delete or restore,
// and the refusal to delete a customer that still has contracts.

const newOwner = (c: WriteContext) => (c.values.owner_id === undefined ? undefined : Number(c.values.owner_id));
const moved = (c: WriteContext) => c.before !== null && newOwner(c) !== undefined && newOwner(c) !== Number(c.before.owner_id);

/** Why a customer cannot be deleted, as the message the confirmation page shows. */
export function deleteRefusal(name: string, contracts: number): FieldErrors[string] {
  return { key: 'customers.delete_refused_contracts', params: { name, count: contracts } };
}

/**
 * Contracts not deleted of a customer: while there are any, it cannot be deleted (its receivables
 * and approvals hang on it). Inside the delete a locking read, which sees the latest committed ones.
 */
export async function liveContracts(db: Knex, customerId: number, locking = false): Promise<number> {
  const query = db('contracts').where('customer_id', customerId).whereNull('deleted_at');
  if (locking) query.forShare();
  const row = await query.count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** A new owner brings their branch along (see withinBranch in authz/data-scope.ts). */
const ownerBranch: Hook = {
  async before(c) {
    if (c.op.kind === 'create' || moved(c)) return { owner_branch_id: await ownerBranchId(c.trx, newOwner(c)!) };
  },
};

/** The owners' live counts (customer_counts), their rows made ahead of the transaction. */
const liveCounts: Hook = {
  async prepare(db, op) {
    if (op.kind === 'create' || op.kind === 'update') {
      if (op.values.owner_id) await ensureCountRows(db, [Number(op.values.owner_id)]);
    } else if (op.kind === 'restore') {
      const row = await db('customers').where('id', op.id).first('owner_id');
      if (row) await ensureCountRows(db, [row.owner_id]);
    }
  },
  async after(c) {
    const owner = Number(c.before?.owner_id);
    if (c.op.kind === 'create') await changeCustomerCounts(c.trx, [{ ownerId: newOwner(c)!, delta: 1 }]);
    if (c.op.kind === 'delete') await changeCustomerCounts(c.trx, [{ ownerId: owner, delta: -1 }]);
    if (c.op.kind === 'restore') await changeCustomerCounts(c.trx, [{ ownerId: owner, delta: 1 }]);
    if (moved(c)) await changeCustomerCounts(c.trx, [{ ownerId: owner, delta: -1 }, { ownerId: newOwner(c)!, delta: 1 }]);
  },
};

/** Counted with the customer's row locked, so a contract being created (which locks it too) is seen. */
const keepWithContracts: Hook = {
  async before(c) {
    if (c.op.kind !== 'delete') return;
    const contracts = await liveContracts(c.trx, c.id, true);
    if (contracts > 0) throw new ValidationError({ _form: deleteRefusal(String(c.before!.name), contracts) });
  },
};

export const customerHooks: Hook[] = [customerOpportunities, ownerBranch, liveCounts, keepWithContracts];
