import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { toDbTime } from '../../db/time.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import { decidesOn, findApprover } from './contracts.approver.js';
import { recordContractEvent, WrongStatusError, type ContractAction } from './contracts.events.js';
import { contractRepository, type ContractDetail, type ContractRow } from './contracts.repository.js';
import type { ContractStatus } from './contracts.schema.js';
import { inTransaction } from '../../db/transaction.js';

// The status machine: draft → pending_approval → approved → signed → terminated, with reject
// returning a pending contract to draft. Each step changes the row, writes the event and the audit
// row in one transaction, and only on the version its button was rendered with and from the status
// it expects (a stale page gets a 409).

type Step = {
  from: readonly ContractStatus[];
  action: ContractAction;
  /** Extra checks on the current row (who may act) and the columns the step sets. */
  apply: (trx: Knex.Transaction, contract: ContractDetail) => Promise<Partial<ContractRow>> | Partial<ContractRow>;
};

async function mustBeApprover(db: Knex, actor: Actor, contract: ContractDetail): Promise<void> {
  if (!(await decidesOn(db, actor, contract))) throw new ForbiddenError('Not the approver');
}

export function contractWorkflow(db: Knex) {
  const repo = contractRepository(db);

  async function run(
    actor: Actor,
    id: number,
    version: number,
    step: Step,
    comment: string | null,
    info: RequestInfo,
  ): Promise<ContractDetail> {
    return inTransaction(db, async (trx) => {
      // Locked before the first plain read, so the checks below read what a concurrent step committed.
      await trx('contracts').where('id', id).forUpdate().first('id');
      const current = await repo.findById(actor, id, trx);
      if (!current) throw new NotFoundError();
      if (version !== current.version) throw new ConflictError();
      if (!step.from.includes(current.status)) throw new WrongStatusError();
      const changes = { ...(await step.apply(trx, current)), updated_at: toDbTime() };
      const updated = await repo.updateIfVersion(trx, actor, id, current.version, changes, current.status);
      if (updated === 0) throw new ConflictError();
      await recordContractEvent(trx, current, step.action, actor.id, comment);
      await writeAudit(trx, {
        entity: 'contract',
        entityId: id,
        action: 'update',
        actorId: actor.id,
        changes: changedFields(current, { ...current, ...changes }, ['status', 'approver_id', 'approved_total', 'sign_date']),
        ip: info.ip,
      });
      return current;
    });
  }

  return {
    /** 404 out of scope, 403 for anyone but the approver or an admin: checked before a decision's form is read. */
    async mayDecide(actor: Actor, id: number): Promise<void> {
      const contract = await repo.findById(actor, id);
      if (!contract) throw new NotFoundError();
      await mustBeApprover(db, actor, contract);
    },

    /** Sends a draft to the owner's manager (or up the tree, or an admin). */
    submit: (actor: Actor, id: number, version: number, comment: string | null, info: RequestInfo) =>
      run(actor, id, version, {
        from: ['draft'],
        action: 'submitted',
        apply: async (trx, contract) => {
          const approverId = await findApprover(trx, contract.owner_id, [contract.created_by, actor.id]);
          if (approverId === null) throw new ValidationError({ comment: { key: 'contracts.error.no_approver' } });
          return { status: 'pending_approval', approver_id: approverId };
        },
      }, comment, info),

    approve: (actor: Actor, id: number, version: number, comment: string | null, info: RequestInfo) =>
      run(actor, id, version, {
        from: ['pending_approval'],
        action: 'approved',
        apply: async (trx, contract) => {
          await mustBeApprover(trx, actor, contract);
          return { status: 'approved', approved_total: contract.total };
        },
      }, comment, info),

    /** Back to draft; the comment (required by the schema) tells the owner why. */
    reject: (actor: Actor, id: number, version: number, comment: string, info: RequestInfo) =>
      run(actor, id, version, {
        from: ['pending_approval'],
        action: 'rejected',
        apply: async (trx, contract) => {
          await mustBeApprover(trx, actor, contract);
          return { status: 'draft' };
        },
      }, comment, info),

    sign: (actor: Actor, id: number, version: number, signDate: string, comment: string | null, info: RequestInfo) =>
      run(actor, id, version, { from: ['approved'], action: 'signed', apply: () => ({ status: 'signed', sign_date: signDate }) }, comment, info),

    terminate: (actor: Actor, id: number, version: number, comment: string, info: RequestInfo) =>
      run(actor, id, version, { from: ['approved', 'signed'], action: 'terminated', apply: () => ({ status: 'terminated' }) }, comment, info),
  };
}
