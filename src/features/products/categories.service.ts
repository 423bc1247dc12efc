import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { toDbTime } from '../../db/time.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import { categoryRepository } from './categories.repository.js';
import { CATEGORY_FIELDS, type CategoryInput } from './categories.schema.js';
import { subtreeIds, type CategoryRow } from './categories.tree.js';
import { inTransaction } from '../../db/transaction.js';

/** Deleting a category that still holds products or sub-categories. */
export class CategoryInUseError extends ConflictError {
  constructor(readonly reason: 'products' | 'children') {
    super('Category in use');
  }
}

/**
 * Every category write starts by locking the whole tree (a few dozen rows of reference data): two
 * moves at once cannot make a cycle, and a delete's checks for children and products read what was
 * committed before it, since this locking read is its first. A product's save share-locks its category.
 */
async function lockCategories(trx: Knex.Transaction): Promise<void> {
  await trx('product_categories').forUpdate().select('id');
}

export function categoryService(db: Knex) {
  const repo = categoryRepository(db);

  async function findOrFail(id: number, trx: Knex = db): Promise<CategoryRow> {
    const row = await repo.findById(id, trx);
    if (!row) throw new NotFoundError();
    return row;
  }

  /** A parent must exist and, when moving a category, must not be the category or below it. */
  async function checkParent(trx: Knex, parentId: number | null, movingId?: number): Promise<void> {
    if (parentId === null) return;
    const all = await repo.all(trx);
    const exists = all.some((c) => c.id === parentId);
    const cycle = movingId !== undefined && subtreeIds(all, movingId).includes(parentId);
    if (!exists || cycle) throw new ValidationError({ parent_id: { key: cycle ? 'products.categories.parent_cycle' : 'validation.choice' } });
  }

  return {
    findOrFail,

    async whyNotDeletable(id: number): Promise<'products' | 'children' | null> {
      if (await repo.hasChildren(id)) return 'children';
      if (await repo.hasProducts(id)) return 'products';
      return null;
    },

    async create(actor: Actor, input: CategoryInput, info: RequestInfo): Promise<number> {
      return inTransaction(db, async (trx) => {
        await lockCategories(trx);
        await checkParent(trx, input.parent_id);
        const now = toDbTime();
        const values = { ...input, sort: await repo.nextSort(trx, input.parent_id) };
        const id = await repo.insert(trx, { ...values, version: 1, created_at: now, updated_at: now });
        await writeAudit(trx, {
          entity: 'product_category',
          entityId: id,
          action: 'create',
          actorId: actor.id,
          changes: changedFields(null, values, [...CATEGORY_FIELDS, 'sort']),
          ip: info.ip,
        });
        return id;
      });
    },

    /** Saves an edit made on `version`; a newer version in the database means a 409, nothing written. */
    async update(actor: Actor, id: number, version: number, input: CategoryInput, info: RequestInfo): Promise<void> {
      await inTransaction(db, async (trx) => {
        await lockCategories(trx);
        const current = await findOrFail(id, trx);
        if (current.version !== version) throw new ConflictError();
        await checkParent(trx, input.parent_id, id);
        const values: Partial<Omit<CategoryRow, 'version'>> = { ...input };
        // Moved under another parent: it goes last among its new siblings.
        if (input.parent_id !== current.parent_id) values.sort = await repo.nextSort(trx, input.parent_id);
        const changes = changedFields(current, values, [...CATEGORY_FIELDS, 'sort']);
        if (Object.keys(changes).length === 0) return;
        const updated = await repo.updateIfVersion(trx, id, version, { ...values, updated_at: toDbTime() });
        if (updated === 0) throw new ConflictError();
        await writeAudit(trx, { entity: 'product_category', entityId: id, action: 'update', actorId: actor.id, changes, ip: info.ip });
      });
    },

    /**
     * Swaps a category with its neighbour among its siblings. Every renumbered sibling's version
     * counts up, so an edit form opened before the move is a 409 rather than a silent undo.
     */
    async move(actor: Actor, id: number, direction: 'up' | 'down', info: RequestInfo): Promise<CategoryRow> {
      return inTransaction(db, async (trx) => {
        await lockCategories(trx);
        const current = await findOrFail(id, trx);
        const siblings = (await repo.all(trx)).filter((c) => c.parent_id === current.parent_id);
        siblings.sort((a, b) => a.sort - b.sort || a.id - b.id);
        const index = siblings.findIndex((c) => c.id === id);
        const other = siblings[direction === 'up' ? index - 1 : index + 1];
        if (!other) return current;
        // Renumber the siblings so equal sort values (older rows) still swap cleanly.
        const order = siblings.map((c) => c.id);
        [order[index], order[order.indexOf(other.id)]] = [other.id, id];
        const now = toDbTime();
        for (const [position, siblingId] of order.entries()) {
          const sort = (position + 1) * 10;
          const sibling = siblings.find((c) => c.id === siblingId)!;
          if (sibling.sort === sort) continue;
          if ((await repo.updateIfVersion(trx, siblingId, sibling.version, { sort, updated_at: now })) === 0) throw new ConflictError();
        }
        await writeAudit(trx, {
          entity: 'product_category',
          entityId: id,
          action: 'update',
          actorId: actor.id,
          changes: { sort: { before: current.sort, after: (order.indexOf(id) + 1) * 10 } },
          ip: info.ip,
        });
        return current;
      });
    },

    async remove(actor: Actor, id: number, info: RequestInfo): Promise<CategoryRow> {
      return inTransaction(db, async (trx) => {
        await lockCategories(trx);
        const current = await findOrFail(id, trx);
        if (await repo.hasChildren(id, trx)) throw new CategoryInUseError('children');
        if (await repo.hasProducts(id, trx)) throw new CategoryInUseError('products');
        await repo.delete(trx, id);
        await writeAudit(trx, {
          entity: 'product_category',
          entityId: id,
          action: 'delete',
          actorId: actor.id,
          changes: changedFields(current, {}, [...CATEGORY_FIELDS]),
          ip: info.ip,
        });
        return current;
      });
    },
  };
}
