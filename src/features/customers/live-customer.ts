import type { Knex } from 'knex';
import { ValidationError } from '../../shared/errors.js';

/**
 * The customer a record is about to be hung on, read again inside the transaction that writes the
 * record, with its row share-locked; undefined when it is gone or deleted. The check made before the
 * transaction could be overtaken by a customer delete, which would leave a live opportunity or
 * contract under a deleted customer. A delete locks the row for update: it either committed first,
 * and is seen here, or waits for this transaction and then sees what it added (customer-cascade.ts
 * takes the opportunity along, and a contract refuses the delete). `update` for a write that then
 * updates the customer itself (a follow-up): the exclusive lock first, ahead of its insert's share lock.
 */
export async function lockLiveCustomer(
  trx: Knex.Transaction,
  customerId: number,
  mode: 'share' | 'update' = 'share',
): Promise<{ name: string } | undefined> {
  const query = trx('customers').where('id', customerId);
  const row: { name: string; deleted_at: string | null } | undefined = await (mode === 'update' ? query.forUpdate() : query.forShare()).first(
    'name',
    'deleted_at',
  );
  return row && !row.deleted_at ? { name: row.name } : undefined;
}

/** lockLiveCustomer for a form's picked customer: a customer deleted meanwhile is a bad choice (422). */
export async function requireLiveCustomer(trx: Knex.Transaction, customerId: number): Promise<void> {
  if (!(await lockLiveCustomer(trx, customerId))) throw new ValidationError({ customer_id: { key: 'validation.choice' } });
}

