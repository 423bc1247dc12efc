import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { insertRow } from '../../db/sql.js';
import { toDbTime } from '../../db/time.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { ConflictError, NotFoundError, refusingDuplicate, ValidationError } from '../../shared/errors.js';
import { fromCents, sumCents, toCents } from '../../shared/money.js';
import type { RequestInfo } from '../../shared/request.js';
import { updateIfVersion } from '../../shared/version.js';
import { contractRepository, type ContractDetail } from '../contracts/contracts.repository.js';
import { loadDictionaries } from '../dictionaries/dictionary.repository.js';
import { paymentRepository, RECEIVABLE_STATUSES, type PlanRow } from './payments.repository.js';
import type { PlanInput, RecordInput } from './payments.schema.js';
import { inTransaction } from '../../db/transaction.js';

// Instalments and the payments applied to them. Every write's first statement locks the contract
// row (SQLite has a single writer): under REPEATABLE READ a plain read taken before the lock would
// fix the transaction's snapshot, and every check after the wait would read the plans and payments
// as they were before the other save committed. Behind the lock, two saves at once cannot both fit
// under the contract total or both pay the same outstanding amount; the plan's update is guarded in
// its WHERE as well, so the database refuses what a check might miss. Every write that changes a
// plan adds one to its version, which its edit form carries (a stale form is a 409).

const PLAN_SEQ_KEY = { table: 'payment_plans', columns: ['contract_id', 'seq'], index: 'payment_plans_contract_seq' };
const PLAN_FIELDS = ['seq', 'due_date', 'amount', 'received_amount', 'remark', 'owner_id', 'is_settled'] as const;

export function paymentService(db: Knex) {
  const contracts = contractRepository(db);
  const repo = paymentRepository(db);

  /** The contract in the actor's scope, locked (the transaction's first read) for the rest of the transaction. */
  async function lockedContract(trx: Knex.Transaction, actor: Actor, contractId: number): Promise<ContractDetail> {
    await trx('contracts').where('id', contractId).forUpdate().first('id');
    const contract = await contracts.findById(actor, contractId, trx);
    if (!contract) throw new NotFoundError();
    return contract;
  }

  /** The plans' sum, with `amount` in place of plan `exceptId`, must stay within the contract total. */
  async function checkPlanned(trx: Knex.Transaction, contract: ContractDetail, amount: string, exceptId?: number): Promise<void> {
    const others = await trx('payment_plans')
      .where('contract_id', contract.id)
      .modify((q) => (exceptId === undefined ? q : q.whereNot('id', exceptId)))
      .pluck('amount');
    const planned = sumCents(others) + toCents(amount);
    if (planned > toCents(contract.total)) {
      throw new ValidationError({
        amount: {
          key: 'payments.error.plans_exceed_total',
          params: { total: contract.total, available: fromCents(toCents(contract.total) - sumCents(others)) },
        },
      });
    }
  }

  async function checkSeq(trx: Knex.Transaction, contractId: number, seq: number | null, exceptId?: number): Promise<number> {
    if (seq === null) {
      const row = await trx('payment_plans').where('contract_id', contractId).max({ last: 'seq' }).first();
      return Number(row?.last ?? 0) + 1;
    }
    const taken = await trx('payment_plans')
      .where({ contract_id: contractId, seq })
      .modify((q) => (exceptId === undefined ? q : q.whereNot('id', exceptId)))
      .first('id');
    if (taken) throw new ValidationError({ seq: { key: 'payments.error.seq_taken' } });
    return seq;
  }

  function refuseTerminated(contract: ContractDetail): void {
    if (contract.status === 'terminated') throw new ValidationError({ _plan: { key: 'payments.error.contract_terminated' } });
  }

  return {
    addPlan: (actor: Actor, contractId: number, input: PlanInput, info: RequestInfo): Promise<number> =>
      inTransaction(db, async (trx) => {
        const contract = await lockedContract(trx, actor, contractId);
        refuseTerminated(contract);
        await checkPlanned(trx, contract, input.amount);
        const seq = await checkSeq(trx, contractId, input.seq);
        const now = toDbTime();
        const row = {
          contract_id: contractId,
          seq,
          due_date: input.due_date,
          amount: input.amount,
          received_amount: '0',
          remark: input.remark,
          owner_id: contract.owner_id,
          is_settled: false,
          version: 1,
          created_at: now,
          updated_at: now,
        };
        const id = await refusingDuplicate(PLAN_SEQ_KEY, 'seq', 'payments.error.seq_taken', () => insertRow(trx, 'payment_plans', row));
        await writeAudit(trx, {
          entity: 'payment_plan',
          entityId: id,
          action: 'create',
          actorId: actor.id,
          changes: changedFields(null, { ...row, contract_id: contractId }, ['contract_id', ...PLAN_FIELDS]),
          ip: info.ip,
        });
        return id;
      }),

    /** Saves an edit made on `version`; a newer version in the database means a 409, nothing written. */
    updatePlan: (actor: Actor, contractId: number, planId: number, version: number, input: PlanInput, info: RequestInfo) =>
      inTransaction(db, async (trx) => {
        const contract = await lockedContract(trx, actor, contractId);
        const current = await repo.planOf(contractId, planId, trx);
        if (!current) throw new NotFoundError();
        if (current.version !== version) throw new ConflictError();
        refuseTerminated(contract);
        if (toCents(input.amount) < toCents(current.received_amount)) {
          throw new ValidationError({ amount: { key: 'payments.error.below_received', params: { received: current.received_amount } } });
        }
        await checkPlanned(trx, contract, input.amount, planId);
        const seq = await checkSeq(trx, contractId, input.seq ?? current.seq, planId);
        const changes: Partial<PlanRow> = {
          seq,
          due_date: input.due_date,
          amount: input.amount,
          remark: input.remark,
          is_settled: toCents(current.received_amount) >= toCents(input.amount),
          updated_at: toDbTime(),
        };
        const updated = await refusingDuplicate(PLAN_SEQ_KEY, 'seq', 'payments.error.seq_taken', () =>
          updateIfVersion(trx, 'payment_plans', planId, version, changes),
        );
        if (updated === 0) throw new ConflictError();
        await writeAudit(trx, {
          entity: 'payment_plan',
          entityId: planId,
          action: 'update',
          actorId: actor.id,
          changes: changedFields(current, { ...current, ...changes }, PLAN_FIELDS),
          ip: info.ip,
        });
      }),

    /** A plan that has received money keeps its history: it cannot be deleted, only changed. */
    deletePlan: (actor: Actor, contractId: number, planId: number, info: RequestInfo) =>
      inTransaction(db, async (trx) => {
        await lockedContract(trx, actor, contractId);
        const current = await repo.planOf(contractId, planId, trx);
        if (!current) throw new NotFoundError();
        const hasRecords = await trx('payment_records').where('plan_id', planId).first('id');
        if (hasRecords || toCents(current.received_amount) > 0n) {
          throw new ValidationError({ _plan: { key: 'payments.error.plan_has_payments' } });
        }
        await trx('payment_plans').where('id', planId).delete();
        await writeAudit(trx, {
          entity: 'payment_plan',
          entityId: planId,
          action: 'delete',
          actorId: actor.id,
          changes: changedFields(current, {}, PLAN_FIELDS),
          ip: info.ip,
        });
        return current;
      }),

    /** Records a payment and adds it to its plan (received amount, settled flag) in the same transaction. */
    addRecord: async (actor: Actor, contractId: number, input: RecordInput, info: RequestInfo): Promise<number> => {
      const dictionaries = await loadDictionaries(db, ['payment_method'], 'en');
      return inTransaction(db, async (trx) => {
        const contract = await lockedContract(trx, actor, contractId);
        if (!(RECEIVABLE_STATUSES as readonly string[]).includes(contract.status)) {
          throw new ValidationError({ _record: { key: 'payments.error.contract_not_receivable' } });
        }
        if (!dictionaries.isSelectable('payment_method', input.method)) throw new ValidationError({ method: { key: 'validation.choice' } });
        const plan = await repo.planOf(contractId, input.plan_id, trx);
        if (!plan) throw new ValidationError({ plan_id: { key: 'validation.choice' } });
        const outstanding = toCents(plan.amount) - toCents(plan.received_amount);
        if (toCents(input.amount) > outstanding) {
          throw new ValidationError({ amount: { key: 'payments.error.exceeds_outstanding', params: { outstanding: fromCents(outstanding) } } });
        }
        const now = toDbTime();
        const record = {
          contract_id: contractId,
          // For the customer's timeline, kept with the contract's customer (contracts.service).
          customer_id: contract.customer_id,
          plan_id: plan.id,
          amount: input.amount,
          paid_on: input.paid_on,
          method: input.method,
          reference: input.reference,
          remark: input.remark,
          created_by: actor.id,
          created_at: now,
          updated_at: now,
        };
        const id = await insertRow(trx, 'payment_records', record);
        const received = toCents(plan.received_amount) + toCents(input.amount);
        const planChanges = { received_amount: fromCents(received), is_settled: received >= toCents(plan.amount), updated_at: now };
        // A plan edit form opened before this payment is now stale (409), not silently overwritten.
        const applied = await trx('payment_plans')
          .where('id', plan.id)
          .where('received_amount', plan.received_amount)
          .where('amount', '>=', planChanges.received_amount)
          .update({ ...planChanges, version: trx.raw('?? + 1', ['version']) });
        if (applied === 0) throw new ConflictError();
        await writeAudit(trx, {
          entity: 'payment_record',
          entityId: id,
          action: 'create',
          actorId: actor.id,
          changes: changedFields(null, record, ['contract_id', 'plan_id', 'amount', 'paid_on', 'method', 'reference', 'remark']),
          ip: info.ip,
        });
        await writeAudit(trx, {
          entity: 'payment_plan',
          entityId: plan.id,
          action: 'update',
          actorId: actor.id,
          changes: changedFields(plan, { ...plan, ...planChanges }, ['received_amount', 'is_settled']),
          ip: info.ip,
        });
        return id;
      });
    },
  };
}
