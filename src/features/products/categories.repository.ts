import type { Knex } from 'knex';
import { insertRow } from '../../db/sql.js';
import { updateIfVersion } from '../../shared/version.js';
import type { CategoryRow } from './categories.tree.js';

const COLUMNS = ['id', 'parent_id', 'name_zh', 'name_en', 'sort', 'version'];

export function categoryRepository(db: Knex) {
  return {
    /** All categories: a tree of some dozens of rows, read whole. */
    all: (trx: Knex = db): Promise<CategoryRow[]> =>
      trx('product_categories').orderBy([{ column: 'sort' }, { column: 'id' }]).select(COLUMNS),

    findById: (id: number, trx: Knex = db): Promise<CategoryRow | undefined> =>
      trx('product_categories').where({ id }).first(COLUMNS),

    async nextSort(trx: Knex, parentId: number | null): Promise<number> {
      const row = await trx('product_categories').where('parent_id', parentId).max({ top: 'sort' }).first();
      return Number(row?.top ?? 0) + 10;
    },

    insert: (trx: Knex, row: Omit<CategoryRow, 'id'> & { created_at: string; updated_at: string }) =>
      insertRow(trx, 'product_categories', row),

    /** Writes only if the version still matches, counting it up; 0 means someone else saved first. */
    updateIfVersion: (trx: Knex, id: number, version: number, changes: Partial<Omit<CategoryRow, 'version'>> & { updated_at: string }) =>
      updateIfVersion(trx, 'product_categories', id, version, changes),

    delete: (trx: Knex, id: number) => trx('product_categories').where({ id }).delete(),

    async hasChildren(id: number, trx: Knex = db): Promise<boolean> {
      return Boolean(await trx('product_categories').where('parent_id', id).first('id'));
    },

    async hasProducts(id: number, trx: Knex = db): Promise<boolean> {
      return Boolean(await trx('products').where('category_id', id).first('id'));
    },
  };
}
