import { referenceTransaction } from '../../db/reference-cache.js';
import { moveInOrder } from '../../shared/reorder.js';
import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import type { RequestInfo } from '../../shared/request.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { ConflictError, NotFoundError, refusingDuplicate, ValidationError } from '../../shared/errors.js';
import { dictionaryAdminRepository, type DictionaryEntry } from './dictionaries.repository.js';
import { DICTIONARY_FIELDS, EDIT_FIELDS, type DictionaryEditInput, type DictionaryNewInput } from './dictionaries.schema.js';
import { isInUse } from './dictionaries.usage.js';

/** Deleting a value that records still store; the admin is offered deactivation instead. */
export class ValueInUseError extends ConflictError {
  constructor() {
    super('Dictionary value in use');
  }
}

export function dictionaryAdminService(db: Knex) {
  const repo = dictionaryAdminRepository(db);

  async function findOrFail(id: number): Promise<DictionaryEntry> {
    const value = await repo.findById(id);
    if (!value) throw new NotFoundError();
    return value;
  }

  /**
   * Writes the changed fields of one value as it was at `current.version`, counting the version up,
   * and their audit row, inside the caller's transaction; a value saved by someone else meanwhile is
   * a ConflictError (409), nothing written.
   */
  async function saveChanges(
    trx: Knex.Transaction,
    actor: Actor,
    current: DictionaryEntry,
    values: Partial<Pick<DictionaryEntry, (typeof EDIT_FIELDS)[number]>>,
    info: RequestInfo,
  ): Promise<void> {
    const fields = EDIT_FIELDS.filter((f) => f in values);
    const changes = changedFields(current, values, fields);
    if (Object.keys(changes).length === 0) return;
    const updated = await repo.updateIfVersion(trx, current.id, current.version, values);
    if (updated === 0) throw new ConflictError();
    await writeAudit(trx, { entity: 'dictionary', entityId: current.id, action: 'update', actorId: actor.id, changes, ip: info.ip });
  }

  return {
    findOrFail,
    isInUse: (value: DictionaryEntry) => isInUse(db, value.type, value.code),

    async createValue(actor: Actor, input: DictionaryNewInput, info: RequestInfo): Promise<DictionaryEntry> {
      if (await repo.codeTaken(input.type, input.code)) throw new ValidationError({ code: { key: 'admin.dictionaries.code_taken' } });
      // Two admins adding one code at once both pass the check; the unique key refuses the second.
      return refusingDuplicate({ table: 'dictionaries', columns: ['type', 'code'] }, 'code', 'admin.dictionaries.code_taken', () => referenceTransaction(db, async (trx) => {
        const values = {
          type: input.type,
          code: input.code,
          label_zh: input.label_zh,
          label_en: input.label_en,
          sort: input.sort ?? (await repo.nextSort(trx, input.type)),
          is_active: input.is_active,
        };
        const id = await repo.insert(trx, values);
        await writeAudit(trx, {
          entity: 'dictionary',
          entityId: id,
          action: 'create',
          actorId: actor.id,
          changes: changedFields(null, values, DICTIONARY_FIELDS),
          ip: info.ip,
        });
        return { id, ...values, version: 1 };
      }));
    },

    /**
     * Relabels, repositions or (de)activates a value, as edited on `version` (a newer one in the
     * database is a 409, nothing written); a blank position keeps the current one.
     */
    async updateValue(actor: Actor, id: number, version: number, input: DictionaryEditInput, info: RequestInfo): Promise<DictionaryEntry> {
      const current = await findOrFail(id);
      if (current.version !== version) throw new ConflictError();
      const values = {
        label_zh: input.label_zh,
        label_en: input.label_en,
        sort: input.sort ?? current.sort,
        is_active: input.is_active,
      };
      await referenceTransaction(db, (trx) => saveChanges(trx, actor, current, values, info));
      return { ...current, ...values };
    },

    /** A deactivated value leaves every picker but keeps its label on the records that store it. */
    async setActive(actor: Actor, id: number, active: boolean, info: RequestInfo): Promise<DictionaryEntry> {
      const current = await findOrFail(id);
      await referenceTransaction(db, (trx) => saveChanges(trx, actor, current, { is_active: active }, info));
      return current;
    },

    /**
     * Swaps a value with its neighbour in picker order, then numbers the type in steps of ten: swapping
     * two numbers alone can jump over a value that shares one of them. Each renumbered value's
     * version counts up, so an edit form opened before the move is a 409.
     */
    async move(actor: Actor, id: number, direction: 'up' | 'down', info: RequestInfo): Promise<DictionaryEntry> {
      const current = await findOrFail(id);
      await referenceTransaction(db, async (trx) => {
        const order = await repo.inOrder(trx, current.type);
        await moveInOrder(order, id, direction, (row, sort) => saveChanges(trx, actor, row, { sort }, info));
      });
      return current;
    },

    /** Deletes a value no record stores; one in use is refused (deactivate it instead). */
    async deleteValue(actor: Actor, id: number, info: RequestInfo): Promise<DictionaryEntry> {
      const current = await findOrFail(id);
      await referenceTransaction(db, async (trx) => {
        if (await isInUse(trx, current.type, current.code)) throw new ValueInUseError();
        await repo.remove(trx, id);
        await writeAudit(trx, {
          entity: 'dictionary',
          entityId: id,
          action: 'delete',
          actorId: actor.id,
          changes: changedFields(current, {}, DICTIONARY_FIELDS),
          ip: info.ip,
        });
      });
      return current;
    },
  };
}
