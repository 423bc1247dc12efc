import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { toDbTime } from '../../db/time.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { ConflictError, NotFoundError, refusingDuplicate, ValidationError, type FieldErrors } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import { productRepository, type ProductRow } from './products.repository.js';
import { PRODUCT_FIELDS, type ProductInput } from './products.schema.js';
import { inTransaction } from '../../db/transaction.js';

/** Deleting a product that quotes, contracts or opportunities refer to; deactivation is offered. */
export class ProductInUseError extends ConflictError {
  constructor() {
    super('Product in use');
  }
}

/** The unique index is the last guard against two saves of one code at once. */
const uniqueCode = <T>(write: () => Promise<T>) => refusingDuplicate({ table: 'products', columns: ['code'] }, 'code', 'products.code_taken', write);

export function productService(db: Knex) {
  const repo = productRepository(db);

  async function checkRules(trx: Knex, input: ProductInput, exceptId?: number): Promise<void> {
    const errors: FieldErrors = {};
    // Share-locked: a category delete waits for this save, then finds the product and refuses.
    if (input.category_id !== null && !(await trx('product_categories').where('id', input.category_id).forShare().first('id'))) {
      errors.category_id = { key: 'validation.choice' };
    }
    if (await repo.codeTaken(input.code, exceptId, trx)) errors.code = { key: 'products.code_taken' };
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  async function findOrFail(id: number, trx: Knex = db): Promise<ProductRow> {
    const product = await repo.findById(id, trx);
    if (!product) throw new NotFoundError();
    return product;
  }

  return {
    findOrFail,
    isUsed: (id: number) => repo.isUsed(id),

    async create(actor: Actor, input: ProductInput, info: RequestInfo): Promise<number> {
      return uniqueCode(() =>
        inTransaction(db, async (trx) => {
          await checkRules(trx, input);
          const now = toDbTime();
          const id = await repo.insert(trx, { ...input, version: 1, created_at: now, updated_at: now });
          await writeAudit(trx, {
            entity: 'product',
            entityId: id,
            action: 'create',
            actorId: actor.id,
            changes: changedFields(null, input, PRODUCT_FIELDS),
            ip: info.ip,
          });
          return id;
        }),
      );
    },

    /** Saves an edit made on `version`; a newer version in the database means a 409, nothing written. */
    async update(actor: Actor, id: number, version: number, input: ProductInput, info: RequestInfo): Promise<void> {
      await uniqueCode(() =>
        inTransaction(db, async (trx) => {
          const current = await findOrFail(id, trx);
          if (current.version !== version) throw new ConflictError();
          await checkRules(trx, input, id);
          const changes = changedFields(current, input, PRODUCT_FIELDS);
          if (Object.keys(changes).length === 0) return;
          const updated = await repo.updateIfVersion(trx, id, version, { ...input, updated_at: toDbTime() });
          if (updated === 0) throw new ConflictError();
          await writeAudit(trx, { entity: 'product', entityId: id, action: 'update', actorId: actor.id, changes, ip: info.ip });
        }),
      );
    },

    async setActive(actor: Actor, id: number, active: boolean, info: RequestInfo): Promise<ProductRow> {
      return inTransaction(db, async (trx) => {
        const current = await findOrFail(id, trx);
        if (current.is_active === active) return current;
        const updated = await repo.updateIfVersion(trx, id, current.version, { is_active: active, updated_at: toDbTime() });
        if (updated === 0) throw new ConflictError();
        await writeAudit(trx, {
          entity: 'product',
          entityId: id,
          action: 'update',
          actorId: actor.id,
          changes: { is_active: { before: current.is_active, after: active } },
          ip: info.ip,
        });
        return current;
      });
    },

    async remove(actor: Actor, id: number, info: RequestInfo): Promise<ProductRow> {
      return inTransaction(db, async (trx) => {
        const current = await findOrFail(id, trx);
        if (await repo.isUsed(id, trx)) throw new ProductInUseError();
        await repo.delete(trx, id);
        await writeAudit(trx, {
          entity: 'product',
          entityId: id,
          action: 'delete',
          actorId: actor.id,
          changes: changedFields(current, {}, PRODUCT_FIELDS),
          ip: info.ip,
        });
        return current;
      });
    },
  };
}
