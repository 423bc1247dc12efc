import type { Knex } from 'knex';
import { moveInOrder } from '../../shared/reorder.js';
import type { Actor } from '../../authz/actor.js';
import { referenceTransaction } from '../../db/reference-cache.js';
import { toDbTime } from '../../db/time.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { ConflictError, HttpError, NotFoundError, refusingDuplicate, ValidationError } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import type { Stage } from '../opportunities/pipeline-stages.js';
import { stageAdminRepository, type VersionedStage } from './stages.repository.js';
import { EDIT_FIELDS, STAGE_FIELDS, type StageEditInput, type StageNewInput } from './stages.schema.js';

/**
 * Every stage write starts by locking all stages (a dozen rows): two admins deactivating the last two
 * won stages at once cannot both pass requireClosingStages, and a delete's in-use check reads what
 * was committed before it. An opportunity's save share-locks its stage (requireLiveStage).
 */
async function lockStages(trx: Knex.Transaction): Promise<void> {
  await trx('pipeline_stages').forUpdate().select('id');
}

/** Deleting a stage that opportunities or their history name; the admin is offered deactivation. */
export class StageInUseError extends ConflictError {
  constructor() {
    super('Stage in use');
  }
}

/**
 * A change that would leave the pipeline without an active won or lost stage: nothing could be won
 * or lost any more, so it is refused (the change is rolled back).
 */
export class PipelineIncompleteError extends HttpError {
  constructor(readonly missing: Array<'won' | 'lost'>) {
    super(422, `No active ${missing.join(' and ')} stage would be left`);
  }
}

type Editable = Pick<Stage, (typeof EDIT_FIELDS)[number]>;

export function stageAdminService(db: Knex) {
  const repo = stageAdminRepository(db);

  async function findOrFail(id: number): Promise<VersionedStage> {
    const stage = await repo.findById(id);
    if (!stage) throw new NotFoundError();
    return stage;
  }

  /** Checked after the change, inside its transaction, so a refused change is never committed. */
  async function requireClosingStages(trx: Knex.Transaction): Promise<void> {
    const counts = await repo.activeClosingKinds(trx);
    const missing = (['won', 'lost'] as const).filter((kind) => counts[kind] === 0);
    if (missing.length > 0) throw new PipelineIncompleteError(missing);
  }

  /**
   * Writes the changed fields of a stage as it was at `current.version`, counting the version up, and
   * their audit row; a stage saved by someone else meanwhile is a ConflictError (409), nothing written.
   */
  async function saveChanges(trx: Knex.Transaction, actor: Actor, current: VersionedStage, values: Partial<Editable>, info: RequestInfo) {
    const fields = EDIT_FIELDS.filter((f) => f in values);
    const changes = changedFields(current, values, fields);
    if (Object.keys(changes).length === 0) return;
    const updated = await repo.updateIfVersion(trx, current.id, current.version, { ...values, updated_at: toDbTime() });
    if (updated === 0) throw new ConflictError();
    await writeAudit(trx, { entity: 'stage', entityId: current.id, action: 'update', actorId: actor.id, changes, ip: info.ip });
  }

  return {
    findOrFail,
    list: () => repo.list(),
    isInUse: (stage: Stage) => repo.isInUse(db, stage.id),

    async createStage(actor: Actor, input: StageNewInput, info: RequestInfo): Promise<Stage> {
      if (await repo.codeTaken(input.code)) throw new ValidationError({ code: { key: 'stages.code_taken' } });
      // Two admins adding one code at once both pass the check; the unique key refuses the second.
      return refusingDuplicate({ table: 'pipeline_stages', columns: ['code'] }, 'code', 'stages.code_taken', () => referenceTransaction(db, async (trx) => {
        await lockStages(trx);
        const values = {
          code: input.code,
          name_zh: input.name_zh,
          name_en: input.name_en,
          sort: input.sort ?? (await repo.nextSort(trx)),
          probability: input.probability,
          kind: input.kind,
          is_active: input.is_active,
        };
        const now = toDbTime();
        const id = await repo.insert(trx, { ...values, created_at: now, updated_at: now });
        await writeAudit(trx, {
          entity: 'stage',
          entityId: id,
          action: 'create',
          actorId: actor.id,
          changes: changedFields(null, values, STAGE_FIELDS),
          ip: info.ip,
        });
        return { id, ...values };
      }));
    },

    /** Saves an edit made on `version`; a newer version in the database means a 409, nothing written. */
    async updateStage(actor: Actor, id: number, version: number, input: StageEditInput, info: RequestInfo): Promise<Stage> {
      const current = await findOrFail(id);
      if (current.version !== version) throw new ConflictError();
      const values: Editable = {
        name_zh: input.name_zh,
        name_en: input.name_en,
        sort: input.sort ?? current.sort,
        probability: input.probability,
        kind: input.kind,
        is_active: input.is_active,
      };
      await referenceTransaction(db, async (trx) => {
        await lockStages(trx);
        await saveChanges(trx, actor, current, values, info);
        await requireClosingStages(trx);
      });
      return { ...current, ...values };
    },

    /** A deactivated stage leaves the pickers and the board; opportunities in it keep it. */
    async setActive(actor: Actor, id: number, active: boolean, info: RequestInfo): Promise<Stage> {
      const current = await findOrFail(id);
      await referenceTransaction(db, async (trx) => {
        await lockStages(trx);
        await saveChanges(trx, actor, current, { is_active: active }, info);
        await requireClosingStages(trx);
      });
      return current;
    },

    /**
     * Swaps a stage with its neighbour, then numbers all stages in steps of ten (as dictionaries do);
     * each renumbered stage's version counts up, so an edit form opened before the move is a 409.
     */
    async move(actor: Actor, id: number, direction: 'up' | 'down', info: RequestInfo): Promise<Stage> {
      const current = await findOrFail(id);
      await referenceTransaction(db, async (trx) => {
        await lockStages(trx);
        const order = await repo.inOrder(trx);
        await moveInOrder(order, id, direction, (row, sort) => saveChanges(trx, actor, row, { sort }, info));
      });
      return current;
    },

    async deleteStage(actor: Actor, id: number, info: RequestInfo): Promise<Stage> {
      const current = await findOrFail(id);
      await referenceTransaction(db, async (trx) => {
        await lockStages(trx);
        if (await repo.isInUse(trx, id)) throw new StageInUseError();
        await repo.remove(trx, id);
        await requireClosingStages(trx);
        await writeAudit(trx, {
          entity: 'stage',
          entityId: id,
          action: 'delete',
          actorId: actor.id,
          changes: changedFields(current, {}, STAGE_FIELDS),
          ip: info.ip,
        });
      });
      return current;
    },
  };
}
