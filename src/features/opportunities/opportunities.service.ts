import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { assignableUsers } from '../../authz/data-scope.js';
import { toDbTime } from '../../db/time.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { fromCents, toCents } from '../../shared/money.js';
import type { RequestInfo } from '../../shared/request.js';
import { lockLiveCustomer, requireLiveCustomer } from '../customers/live-customer.js';
import { loadDictionaries } from '../dictionaries/dictionary.repository.js';
import { customerChoices, opportunityRepository, type OpportunityDetail, type OpportunityRow } from './opportunities.repository.js';
import { OPPORTUNITY_FIELDS, type OpportunityInput } from './opportunities.schema.js';
import { loadStages, requireLiveStage, stageIndex, type Stage } from './pipeline-stages.js';
import { pipelineTransaction } from './pipeline-totals.js';
import { recordStageChange } from './stage-history.js';
import { enforceStageRules } from './stage-rules.js';

type Editable = Pick<
  OpportunityRow,
  'customer_id' | 'title' | 'amount' | 'currency' | 'stage_id' | 'probability' | 'expected_close_date' | 'owner_id' | 'lost_reason' | 'remark'
>;

/** What the audit trail compares: the editable fields, the amount as "1234.50", products as "1,4". */
function auditable(values: Editable | OpportunityRow, productIds: number[]): Record<string, unknown> {
  return { ...values, amount: fromCents(toCents(values.amount)), product_ids: [...productIds].sort((a, b) => a - b).join(',') };
}

export function opportunityService(db: Knex) {
  const repo = opportunityRepository(db);
  const customers = customerChoices(db);

  /** Rules zod cannot know: customer and owner in scope, stage, dictionary, products, probability. */
  async function checkRules(
    actor: Actor,
    input: OpportunityInput,
    current?: OpportunityRow & { product_ids: number[] },
  ): Promise<{ values: Editable; productIds: number[]; stage: Stage }> {
    const errors: FieldErrors = {};
    const stages = stageIndex(await loadStages(db));

    let customerId = current?.customer_id ?? input.customer_id;
    if (!current) {
      const customer = await customers.find(actor, input.customer_id);
      if (!customer) errors.customer_id = { key: 'opportunities.customer_required' };
      else customerId = customer.id;
    }

    const stage = stages.byId(input.stage_id);
    const stageOk = !!stage && stages.selectable(current?.stage_id).some((s) => s.id === stage.id);
    if (!stageOk) errors.stage_id = { key: 'validation.choice' };

    let lostReason: string | null = null;
    if (stage?.kind === 'lost') {
      const reasons = await loadDictionaries(db, ['lost_reason'], 'en');
      if (!input.lost_reason) errors.lost_reason = { key: 'opportunities.rule.lost_reason' };
      else if (!reasons.isSelectable('lost_reason', input.lost_reason, current?.lost_reason)) errors.lost_reason = { key: 'validation.choice' };
      lostReason = input.lost_reason;
    }

    let ownerId = current?.owner_id ?? actor.id;
    if (actor.permissions.has('customers.assign') && input.owner_id) {
      const stays = current && input.owner_id === current.owner_id;
      if (!stays && !(await assignableUsers(db, actor)).some((u) => u.id === input.owner_id)) errors.owner_id = { key: 'validation.choice' };
      ownerId = input.owner_id;
    }

    const productIds = [...new Set(input.product_ids)];
    if (productIds.length > 0) {
      const found: Array<{ id: number; is_active: number | boolean }> = await db('products').whereIn('id', productIds).select('id', 'is_active');
      const kept = new Set(current?.product_ids ?? []);
      const ok = productIds.every((id) => found.some((p) => Number(p.id) === id && (Boolean(p.is_active) || kept.has(id))));
      if (!ok) errors.product_ids = { key: 'validation.choice' };
    }
    if (Object.keys(errors).length > 0 || !stage) throw new ValidationError(errors);

    // The probability follows the stage unless the user typed their own: empty, or left as it was
    // while the stage changed, means the new stage's default.
    const stageChanged = !current || current.stage_id !== stage.id;
    let probability = input.probability ?? stage.probability;
    if (current && stageChanged && input.probability === Number(current.probability)) probability = stage.probability;

    return {
      stage,
      productIds,
      values: {
        customer_id: customerId,
        title: input.title,
        amount: input.amount,
        currency: input.currency,
        stage_id: stage.id,
        probability,
        expected_close_date: input.expected_close_date,
        owner_id: ownerId,
        lost_reason: lostReason,
        remark: input.remark,
      },
    };
  }

  async function findOrFail(actor: Actor, id: number, trx: Knex = db): Promise<OpportunityDetail> {
    const current = await repo.findById(actor, id, trx);
    if (!current) throw new NotFoundError();
    return current;
  }

  return {
    findOrFail,

    async createOpportunity(actor: Actor, input: OpportunityInput, info: RequestInfo): Promise<number> {
      const { values, productIds } = await checkRules(actor, input);
      return pipelineTransaction(db, [values.owner_id], async (trx) => {
        await requireLiveCustomer(trx, values.customer_id);
        await requireLiveStage(trx, values.stage_id);
        const now = toDbTime();
        const id = await repo.insert(trx, {
          ...values,
          stage_entered_at: now,
          created_by: actor.id,
          version: 1,
          deleted_at: null,
          created_at: now,
          updated_at: now,
        });
        await repo.setProducts(trx, id, productIds);
        await recordStageChange(trx, {
          opportunityId: id,
          customerId: values.customer_id,
          fromStageId: null,
          toStageId: values.stage_id,
          changedBy: actor.id,
          at: now,
        });
        await writeAudit(trx, {
          entity: 'opportunity',
          entityId: id,
          action: 'create',
          actorId: actor.id,
          changes: changedFields(null, auditable(values, productIds), OPPORTUNITY_FIELDS),
          ip: info.ip,
        });
        return id;
      });
    },

    /** Saves an edit made on `version`: 409 if someone saved since; a stage change obeys the stage rules. */
    async updateOpportunity(actor: Actor, id: number, version: number, input: OpportunityInput, info: RequestInfo): Promise<void> {
      const found = await findOrFail(actor, id);
      if (found.version !== version) throw new ConflictError();
      const current = { ...found, product_ids: await repo.productIds(id) };
      const { values, productIds, stage } = await checkRules(actor, input, current);
      const changes = changedFields(auditable(current, current.product_ids), auditable(values, productIds), OPPORTUNITY_FIELDS);
      if (Object.keys(changes).length === 0) return;
      const stageChanged = current.stage_id !== stage.id;
      // A change of owner moves the amounts from one owner's totals to the other's: both are recomputed.
      const owners = [current.owner_id, values.owner_id];
      await pipelineTransaction(db, owners, async (trx) => {
        const now = toDbTime();
        if (values.customer_id !== current.customer_id) await requireLiveCustomer(trx, values.customer_id);
        if (stageChanged) {
          await requireLiveStage(trx, stage.id);
          const stages = stageIndex(await loadStages(trx));
          await enforceStageRules(trx, {
            opportunityId: id,
            from: stages.byId(current.stage_id),
            to: stage,
            stageEnteredAt: current.stage_entered_at,
            expectedCloseDate: values.expected_close_date,
            lostReason: values.lost_reason,
          });
        }
        const updated = await repo.updateIfVersion(trx, actor, id, version, {
          ...values,
          ...(stageChanged ? { stage_entered_at: now } : {}),
          updated_at: now,
        });
        if (updated === 0) throw new ConflictError();
        if ('product_ids' in changes) await repo.setProducts(trx, id, productIds);
        if (stageChanged) {
          await recordStageChange(trx, {
            opportunityId: id,
            customerId: current.customer_id,
            fromStageId: current.stage_id,
            toStageId: stage.id,
            changedBy: actor.id,
            at: now,
          });
        }
        await writeAudit(trx, { entity: 'opportunity', entityId: id, action: 'update', actorId: actor.id, changes, ip: info.ip });
      });
    },

    /**
     * The board's move: only the stage (and the lost reason a lost stage needs) changes; the
     * probability becomes the new stage's default.
     */
    async moveToStage(
      actor: Actor,
      id: number,
      input: { stage_id: number; version: number; lost_reason: string | null },
      info: RequestInfo,
    ): Promise<{ opportunity: OpportunityDetail; stage: Stage }> {
      const current = await findOrFail(actor, id);
      const stages = stageIndex(await loadStages(db));
      const to = stages.byId(input.stage_id);
      if (!to || !stages.selectable(current.stage_id).some((s) => s.id === to.id)) throw new ValidationError({ stage_id: { key: 'validation.choice' } });
      if (current.version !== input.version) throw new ConflictError();
      if (to.id === current.stage_id) return { opportunity: current, stage: to };
      let lostReason: string | null = null;
      if (to.kind === 'lost' && input.lost_reason) {
        const reasons = await loadDictionaries(db, ['lost_reason'], 'en');
        // An unknown reason counts as none: the rule below then names it.
        lostReason = reasons.isSelectable('lost_reason', input.lost_reason) ? input.lost_reason : null;
      }
      const values = { stage_id: to.id, probability: to.probability, lost_reason: lostReason };
      const changes = changedFields(current, values, ['stage_id', 'probability', 'lost_reason']);
      await pipelineTransaction(db, [current.owner_id], async (trx) => {
        const now = toDbTime();
        await requireLiveStage(trx, to.id);
        const fresh = stageIndex(await loadStages(trx));
        await enforceStageRules(trx, {
          opportunityId: id,
          from: fresh.byId(current.stage_id),
          to,
          stageEnteredAt: current.stage_entered_at,
          expectedCloseDate: current.expected_close_date,
          lostReason,
        });
        const updated = await repo.updateIfVersion(trx, actor, id, input.version, { ...values, stage_entered_at: now, updated_at: now });
        if (updated === 0) throw new ConflictError();
        await recordStageChange(trx, {
          opportunityId: id,
          customerId: current.customer_id,
          fromStageId: current.stage_id,
          toStageId: to.id,
          changedBy: actor.id,
          at: now,
        });
        await writeAudit(trx, { entity: 'opportunity', entityId: id, action: 'update', actorId: actor.id, changes, ip: info.ip });
      });
      return { opportunity: current, stage: to };
    },

    async deleteOpportunity(actor: Actor, id: number, info: RequestInfo): Promise<OpportunityDetail> {
      const current = await findOrFail(actor, id);
      await pipelineTransaction(db, [current.owner_id], async (trx) => {
        const now = toDbTime();
        const updated = await repo.updateIfVersion(trx, actor, id, current.version, { deleted_at: now, updated_at: now });
        if (updated === 0) throw new ConflictError();
        await writeAudit(trx, { entity: 'opportunity', entityId: id, action: 'delete', actorId: actor.id, ip: info.ip });
      });
      return current;
    },

    /**
     * Brings a deleted opportunity back, unless its customer is still deleted (restore that first).
     * One that is live already (a second click) is left as it is: `restored` says which.
     */
    async restoreOpportunity(actor: Actor, id: number, info: RequestInfo): Promise<{ opportunity: OpportunityDetail; restored: boolean }> {
      const current = await repo.findById(actor, id, db, { includeDeleted: true });
      if (!current) throw new NotFoundError();
      if (!current.deleted_at) return { opportunity: current, restored: false };
      await pipelineTransaction(db, [current.owner_id], async (trx) => {
        if (!(await lockLiveCustomer(trx, current.customer_id))) {
          throw new ValidationError({ _form: { key: 'opportunities.restore_customer_deleted', params: { name: current.customer_name } } });
        }
        const restored = await repo.restoreIfVersion(trx, actor, id, current.version, toDbTime());
        if (restored === 0) throw new ConflictError();
        await writeAudit(trx, {
          entity: 'opportunity',
          entityId: id,
          action: 'restore',
          actorId: actor.id,
          changes: { deleted_at: { before: current.deleted_at, after: null } },
          ip: info.ip,
        });
      });
      return { opportunity: current, restored: true };
    },
  };
}
