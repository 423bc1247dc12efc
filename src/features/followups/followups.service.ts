import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { fromDbTime, toDbTime } from '../../db/time.js';
import { fromLocalInput } from '../../i18n/format.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import { findCustomer } from '../customers/index.js';
import { lockLiveCustomer } from '../customers/live-customer.js';
import { loadDictionaries } from '../dictionaries/dictionary.repository.js';
import { followupRepository } from './followups.repository.js';
import { FOLLOWUP_FIELDS, type FollowupInput } from './followups.schema.js';
import { inTransaction } from '../../db/transaction.js';

/**
 * A follow-up records what happened, so it cannot have happened after now (a minute's grace for the
 * clock of the page that pre-filled it). A future one would pass the stage rule for every stage the
 * opportunity entered until then, and date the customer's last contact ahead of today.
 */
const GRACE_MS = 60_000;

function isInFuture(dbTime: string, now: string): boolean {
  return fromDbTime(dbTime)!.getTime() > fromDbTime(now)!.getTime() + GRACE_MS;
}

type FollowupValues = {
  type: string;
  occurred_at: string;
  content: string;
  contact_id: number | null;
  opportunity_id: number | null;
  /** Undefined keeps the customer's next follow-up as it is. */
  next_follow_up_at: string | null | undefined;
  next_action: string | null;
};

/**
 * Writes a follow-up, its customer's last contact (and next follow-up) and the audit row in the
 * caller's transaction. The customer's row is locked for update first, before the follow-up's insert
 * share-locks it through its foreign key: two such transactions would each hold the share lock and
 * wait for the other.
 */
export async function recordFollowup(trx: Knex.Transaction, customerId: number, values: FollowupValues, actor: Actor, info: RequestInfo): Promise<number> {
  const now = toDbTime();
  if (!(await lockLiveCustomer(trx, customerId, 'update'))) throw new NotFoundError();
  // A contact deleted since the form's check would fail the insert's foreign key: the form's 422 instead.
  if (values.contact_id !== null && !(await trx('contacts').where({ id: values.contact_id, customer_id: customerId }).forShare().first('id'))) {
    throw new ValidationError({ contact_id: { key: 'validation.choice' } });
  }
  const repo = followupRepository(trx);
  const row = { ...values, next_follow_up_at: values.next_follow_up_at ?? null };
  const id = await repo.insert(trx, { ...row, customer_id: customerId, created_by: actor.id, created_at: now, updated_at: now });
  await repo.touchCustomer(trx, customerId, values.occurred_at, values.next_follow_up_at, now);
  await writeAudit(trx, {
    entity: 'followup',
    entityId: id,
    action: 'create',
    actorId: actor.id || null,
    changes: changedFields(null, { customer_id: customerId, ...row }, ['customer_id', ...FOLLOWUP_FIELDS]),
    ip: info.ip,
  });
  return id;
}

export function followupService(db: Knex) {
  const repo = followupRepository(db);

  /** The customer a follow-up is logged on: live and in scope, else 404. */
  async function customerFor(actor: Actor, customerId: number) {
    const customer = await findCustomer(db, actor, customerId);
    if (!customer) throw new NotFoundError();
    return { ...customer, name: String(customer.name) };
  }

  /** Rules zod cannot know: the type is in the dictionary, the contact and opportunity are this customer's. */
  async function checkRules(actor: Actor, customerId: number, input: FollowupInput, occurredAt: string, now: string): Promise<void> {
    const errors: FieldErrors = {};
    if (isInFuture(occurredAt, now)) errors.occurred_at = { key: 'validation.followups.future' };
    const dictionaries = await loadDictionaries(db, ['followup_type'], 'en');
    if (!dictionaries.isSelectable('followup_type', input.type)) errors.type = { key: 'validation.choice' };
    if (input.contact_id !== null) {
      const contacts = await repo.contactChoices(customerId);
      if (!contacts.some((c) => c.id === input.contact_id)) errors.contact_id = { key: 'validation.choice' };
    }
    if (input.opportunity_id !== null) {
      const opportunities = await repo.opportunityChoices(actor, customerId);
      if (!opportunities.some((o) => o.id === input.opportunity_id)) errors.opportunity_id = { key: 'validation.choice' };
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  return {
    customerFor,

    /**
     * Logs a follow-up. The row, the customer's last_contact_at / next_follow_up_at and the audit
     * row are written in one transaction: either all of them happen or none.
     */
    async logFollowup(actor: Actor, customerId: number, input: FollowupInput, info: RequestInfo): Promise<number> {
      await customerFor(actor, customerId);
      const now = toDbTime();
      const occurredAt = (input.occurred_at && fromLocalInput(input.occurred_at, actor.timeZone)) || now;
      await checkRules(actor, customerId, input, occurredAt, now);
      const nextFollowUpAt = input.next_follow_up_at ? fromLocalInput(input.next_follow_up_at, actor.timeZone) : null;
      const values = {
        type: input.type,
        occurred_at: occurredAt,
        content: input.content,
        contact_id: input.contact_id,
        opportunity_id: input.opportunity_id,
        next_follow_up_at: nextFollowUpAt,
        next_action: input.next_action,
      };
      return inTransaction(db, (trx) => recordFollowup(trx, customerId, values, actor, info));
    },
  };
}
