import type { Knex } from 'knex';
import { insertRow } from '../../db/sql.js';
import type { CategoryRow } from './categories.tree.js';

export function categoryRepository(db: Knex) {
  return {
    /** All categories: a tree of some dozens of rows, read whole. */
    all: (trx: Knex = db): Promise<CategoryRow[]> =>
      trx('product_categories').orderBy([{ column: 'sort' }, { column: 'id' }]).select('id', 'parent_id', 'name_zh', 'name_en', 'sort'),

    findById: (id: number, trx: Knex = db): Promise<CategoryRow | undefined> =>
      trx('product_categories').where({ id }).first('id', 'parent_id', 'name_zh', 'name_en', 'sort'),

    async nextSort(trx: Knex, parentId: number | null): Promise<number> {
      const row = await trx('product_categories').where('parent_id', parentId).max({ top: 'sort' }).first();
      return Number(row?.top ?? 0) + 10;
    },

    insert: (trx: Knex, row: Omit<CategoryRow, 'id'> & { created_at: string; updated_at: string }) =>
      insertRow(trx, 'product_categories', row),

    update: (trx: Knex, id: number, changes: Partial<CategoryRow> & { updated_at: string }) =>
      trx('product_categories').where({ id }).update(changes),

    delete: (trx: Knex, id: number) => trx('product_categories').where({ id }).delete(),

    async hasChildren(id: number, trx: Knex = db): Promise<boolean> {
      return Boolean(await trx('product_categories').where('parent_id', id).first('id'));
    },

    async hasProducts(id: number, trx: Knex = db): Promise<boolean> {
      return Boolean(await trx('products').where('category_id', id).first('id'));
    },
  };
}
