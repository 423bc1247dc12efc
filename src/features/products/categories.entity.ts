import type { Knex } from 'knex';
import type { Hook } from '../../kernel/data/hooks.js';
import { defineEntity, type Row } from '../../kernel/entity/define-entity.js';
import { integer, ref, text } from '../../kernel/entity/fields.js';
import { ValidationError } from '../../shared/errors.js';
import { categoryOptions, readCategories, subtreeIds } from './categories.tree.js';

// Product categories: a tree of reference data kept by the admin. A product's save share-locks its category.

const tree: Hook = {
  // Placed under another parent: never under itself or below itself, and last among its new siblings
  // (a new category is placed last by the kernel's ordering).
  async derive(c) {
    if (!c.before || !('parent_id' in c.values)) return;
    const parentId = (c.values.parent_id as number | null | undefined) ?? null;
    if (parentId === (c.before.parent_id ?? null)) return;
    const all = await readCategories(c.trx);
    if (parentId !== null && subtreeIds(all, c.id).includes(parentId)) {
      throw new ValidationError({ parent_id: { key: 'products.categories.parent_cycle' } });
    }
    const siblings = all.filter((row) => row.parent_id === parentId);
    return { sort: Math.max(0, ...siblings.map((row) => row.sort)) + 10 };
  },
};

/** Why a category cannot go yet: sub-categories first, then products. */
async function inUse(db: Knex, row: Row): Promise<string | null> {
  if (await db('product_categories').where('parent_id', row.id).first('id')) return 'products.categories.in_use_children';
  if (await db('products').where('category_id', row.id).first('id')) return 'products.categories.in_use_products';
  return null;
}

export const categories = defineEntity({
  name: 'product_category',
  plural: 'products.categories',
  table: 'product_categories',
  fields: {
    name_zh: text(100, { required: true, width: 12 }),
    name_en: text(100, { required: true, width: 12 }),
    parent_id: ref('product_category', { width: 12, emptyKey: 'products.categories.top_level', options: categoryOptions }),
    sort: integer(0, 999_999_999, { editable: false }),
  },
  titleColumn: 'name_zh',
  titleColumnFor: (locale) => (locale === 'en' ? 'name_en' : 'name_zh'),
  scope: { kind: 'global' },
  softDelete: false,
  permissions: { view: 'admin.products', create: 'admin.products', edit: 'admin.products', delete: 'admin.products' },
  // Every write locks the whole tree first (a few dozen rows): two moves at once cannot make a cycle,
  // and a delete's checks for children and products read what was committed before it.
  lockTable: true,
  // Siblings keep the admin's order; moved up and down by the kernel's move route.
  ordered: { column: 'sort', within: 'parent_id' },
  hooks: [tree],
  inUse,
});
