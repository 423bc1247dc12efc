import type { Knex } from 'knex';
import { toDbTime } from '../../db/time.js';
import { HttpError } from '../../shared/errors.js';

/**
 * What contract_events.action holds: the draft's creation and every status change, for the approval
 * trail and the customer timeline (an approved contract whose total changed is 'submitted' again).
 */
export type ContractAction = 'created' | 'submitted' | 'approved' | 'rejected' | 'signed' | 'terminated';

/** Written inside the transaction that changes the status. */
export async function recordContractEvent(
  trx: Knex.Transaction,
  contract: { id: number; customer_id: number },
  action: ContractAction,
  actorId: number,
  comment: string | null = null,
): Promise<void> {
  await trx('contract_events').insert({
    contract_id: contract.id,
    customer_id: contract.customer_id,
    action,
    comment,
    actor_id: actorId,
    at: toDbTime(),
  });
}

/**
 * A business rule refused the action (a quote not yet accepted, a customer that still has
 * contracts): 422 with a sentence that says why, shown on a page of its own.
 */
export class RefusedError extends HttpError {
  constructor(
    readonly key: string,
    readonly params: Record<string, string | number> = {},
    readonly backUrl = '/contracts',
  ) {
    super(422, key);
  }
}

/** The contract is no longer in a status that allows the action (someone moved it on): 409. */
export class WrongStatusError extends HttpError {
  constructor() {
    super(409, 'Contract status changed');
  }
}

