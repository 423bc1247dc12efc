import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { assignableUsers } from '../../authz/data-scope.js';
import { nextDocumentNumber, prepareDocumentNumbers } from '../../db/document-number.js';
import { toDbTime } from '../../db/time.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { fromCents, sumCents, toCents, type Cents } from '../../shared/money.js';
import type { RequestInfo } from '../../shared/request.js';
import { requireLiveCustomer } from '../customers/live-customer.js';
import { priceLines, saveLineItems, type LineItem, type PricedLineItems } from '../line-items/index.js';
import { findApprover } from './contracts.approver.js';
import { contractReferences } from './contracts.references.js';
import { recordContractEvent, WrongStatusError } from './contracts.events.js';
import { contractRepository, type ContractRow } from './contracts.repository.js';
import { CONTRACT_FIELDS, EDITABLE_STATUSES, type ContractInput } from './contracts.schema.js';
import { inTransaction } from '../../db/transaction.js';

/** The columns a contract form (or a one-step conversion) decides. */
export type ContractValues = Pick<
  ContractRow,
  'customer_id' | 'opportunity_id' | 'quote_id' | 'title' | 'currency' | 'sign_date' | 'start_date' | 'end_date' | 'remark' | 'owner_id'
>;

const AUDITED = [...CONTRACT_FIELDS, 'status', 'approver_id'] as const;

/**
 * Whether an edit changes what was approved: the sum, but also what it is in (1000 CNY is not
 * 1000 USD) and who owes it. Any of them is a new amount, which only an approval may accept.
 */
function changesApprovedAmount(current: ContractRow, values: ContractValues, totalCents: Cents): boolean {
  return (
    toCents(current.approved_total ?? current.total) !== totalCents ||
    values.currency !== current.currency ||
    values.customer_id !== current.customer_id
  );
}

/**
 * Inserts a draft contract with its items, number and audit row, inside the caller's transaction:
 * the form, a quote and a won opportunity all create contracts through here.
 */
export async function insertDraftContract(
  trx: Knex.Transaction,
  actor: Actor,
  values: ContractValues,
  priced: PricedLineItems,
  info: RequestInfo,
  numberYear: number,
): Promise<number> {
  const now = toDbTime();
  const number = await nextDocumentNumber(trx, 'CT', numberYear);
  const total = fromCents(priced.total);
  const id = await contractRepository(trx).insert(trx, {
    ...values,
    number,
    total,
    approved_total: null,
    status: 'draft',
    approver_id: null,
    created_by: actor.id,
    version: 1,
    deleted_at: null,
    created_at: now,
    updated_at: now,
  });
  await saveLineItems(trx, 'contract_items', 'contract_id', id, priced);
  await recordContractEvent(trx, { id, customer_id: values.customer_id }, 'created', actor.id);
  await writeAudit(trx, {
    entity: 'contract',
    entityId: id,
    action: 'create',
    actorId: actor.id,
    changes: changedFields(null, { ...values, number, total, status: 'draft' }, ['number', ...AUDITED]),
    ip: info.ip,
  });
  return id;
}

export function contractService(db: Knex) {
  const repo = contractRepository(db);
  const references = contractReferences(db);

  /** Rules zod cannot know: records in scope and belonging together, dates in order. Items come checked (readLineItems). */
  async function checkRules(
    actor: Actor,
    input: ContractInput,
    items: readonly LineItem[],
    current?: ContractRow,
  ): Promise<{ values: ContractValues; priced: PricedLineItems }> {
    const errors: FieldErrors = {};
    const customer = await references.customer(actor, input.customer_id);
    const keepsCustomer = current?.customer_id === input.customer_id;
    if (!customer && !keepsCustomer) errors.customer_id = { key: 'validation.choice' };
    // A link the contract already has stays valid though its record left the actor's scope.
    const keeps = (column: 'opportunity_id' | 'quote_id', id: number) => keepsCustomer && current?.[column] === id;
    if (input.opportunity_id !== null && !keeps('opportunity_id', input.opportunity_id)) {
      if (!(await references.hasOpportunity(actor, input.customer_id, input.opportunity_id))) errors.opportunity_id = { key: 'validation.choice' };
    }
    if (input.quote_id !== null && !keeps('quote_id', input.quote_id)) {
      if (!(await references.hasQuote(actor, input.customer_id, input.quote_id))) errors.quote_id = { key: 'validation.choice' };
    }
    if (input.start_date && input.end_date && input.end_date < input.start_date) {
      errors.end_date = { key: 'validation.contracts.end_before_start' };
    }
    let ownerId = current?.owner_id ?? actor.id;
    if (actor.permissions.has('customers.assign') && input.owner_id !== null) {
      const stays = current && input.owner_id === current.owner_id;
      if (!stays && !(await assignableUsers(db, actor)).some((u) => u.id === input.owner_id)) {
        errors.owner_id = { key: 'validation.choice' };
      }
      ownerId = input.owner_id;
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    return {
      values: {
        customer_id: input.customer_id,
        opportunity_id: input.opportunity_id,
        quote_id: input.quote_id,
        title: input.title,
        currency: input.currency,
        sign_date: input.sign_date,
        start_date: input.start_date,
        end_date: input.end_date,
        remark: input.remark,
        owner_id: ownerId,
      },
      priced: priceLines(items),
    };
  }

  return {
    async createContract(actor: Actor, input: ContractInput, items: readonly LineItem[], info: RequestInfo): Promise<number> {
      const { values, priced } = await checkRules(actor, input, items);
      const year = await prepareDocumentNumbers(db, 'CT', actor.timeZone);
      return inTransaction(db, async (trx) => {
        await requireLiveCustomer(trx, values.customer_id);
        return insertDraftContract(trx, actor, values, priced, info, year);
      });
    },

    /**
     * Saves an edit made on `version`. A draft is saved as it is; an approved contract keeps its
     * approval only while its amount stays the approved one: a new total, another currency or another
     * customer sends it back to approval (status, approver and event in the same transaction).
     * Returns whether that happened.
     */
    async updateContract(
      actor: Actor,
      id: number,
      version: number,
      input: ContractInput,
      items: readonly LineItem[],
      info: RequestInfo,
    ): Promise<{ resubmitted: boolean }> {
      const current = await repo.findById(actor, id);
      if (!current) throw new NotFoundError();
      if (current.version !== version) throw new ConflictError();
      if (!EDITABLE_STATUSES.includes(current.status)) throw new WrongStatusError();
      const { values, priced } = await checkRules(actor, input, items, current);
      const total = fromCents(priced.total);
      return inTransaction(db, async (trx) => {
        // Locked before the plans are read, so a plan added meanwhile is counted (payments.service.ts).
        await trx('contracts').where('id', id).forUpdate().first('id');
        // The instalments already planned bound the total from below.
        const planned = sumCents(await trx('payment_plans').where('contract_id', id).pluck('amount'));
        if (planned > priced.total) {
          throw new ValidationError({ items: { key: 'contracts.error.total_below_plans', params: { planned: fromCents(planned) } } });
        }
        const resubmitted = current.status === 'approved' && changesApprovedAmount(current, values, priced.total);
        const changes: Partial<ContractRow> = { ...values, total, updated_at: toDbTime() };
        if (resubmitted) {
          const approverId = await findApprover(trx, values.owner_id, [current.created_by, actor.id]);
          if (approverId === null) throw new ValidationError({ items: { key: 'contracts.error.no_approver' } });
          Object.assign(changes, { status: 'pending_approval', approver_id: approverId, approved_total: null });
        }
        const updated = await repo.updateIfVersion(trx, actor, id, version, changes, current.status);
        if (updated === 0) throw new ConflictError();
        await saveLineItems(trx, 'contract_items', 'contract_id', id, priced);
        // payment_plans.owner_id mirrors the contract's owner so receivables are scoped by index.
        if (values.owner_id !== current.owner_id) {
          await trx('payment_plans').where('contract_id', id).update({ owner_id: values.owner_id, updated_at: toDbTime() });
        }
        // A contract moved to another customer takes its history along: its events and payments
        // show on the customer it now belongs to.
        if (values.customer_id !== current.customer_id) {
          for (const table of ['contract_events', 'payment_records']) {
            await trx(table).where('contract_id', id).update({ customer_id: values.customer_id });
          }
        }
        const after = { ...current, ...changes };
        await writeAudit(trx, {
          entity: 'contract',
          entityId: id,
          action: 'update',
          actorId: actor.id,
          changes: changedFields(current, after, AUDITED),
          ip: info.ip,
        });
        if (resubmitted) await recordContractEvent(trx, { id, customer_id: values.customer_id }, 'submitted', actor.id);
        return { resubmitted };
      });
    },
  };
}
