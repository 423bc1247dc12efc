import type { Knex } from 'knex';
import { z } from 'zod';
import type { Hook } from '../../kernel/data/hooks.js';
import { defineEntity, type Row } from '../../kernel/entity/define-entity.js';
import { boolean, money, ref, text } from '../../kernel/entity/fields.js';
import { categoryAndBelow, categoryOptions } from './categories.tree.js';

// Products are shared reference data: everyone with products.view sees them all, the admin keeps
// them. A product that documents refer to is deactivated, never deleted.

const code = text(50, { required: true, width: 3 });

/** Where a product can be referenced. */
const USAGE = [
  ['quote_items', 'product_id'],
  ['contract_items', 'product_id'],
  ['opportunity_products', 'product_id'],
] as const;

async function inUse(db: Knex, row: Row): Promise<string | null> {
  for (const [table, column] of USAGE) if (await db(table).where(column, row.id).first(column)) return 'products.in_use';
  return null;
}

const productHooks: Hook[] = [
  {
    // Share-locked: a category delete waits for this save, then finds the product and refuses.
    async lock(c) {
      if (c.values.category_id) await c.trx('product_categories').where('id', c.values.category_id).forShare().first('id');
    },
  },
];

export const products = defineEntity({
  name: 'product',
  plural: 'products',
  table: 'products',
  fields: {
    name: text(200, { required: true }),
    code: { ...code, schema: (code.schema as z.ZodString).regex(/^[\p{L}\p{N}._\-/]+$/u, { message: 'products.code_format' }) },
    category_id: ref('product_category', { width: 3, options: (db, locale) => categoryOptions(db, locale) }),
    spec: text(200),
    unit: text(20, { width: 2 }),
    list_price: money({ required: true, width: 2 }),
    cost: money({ width: 2, readPermission: 'admin.products' }),
    // The audit trail has always said true / false here.
    is_active: boolean({ width: 12, auditAsBoolean: true }),
  },
  titleColumn: 'name',
  scope: { kind: 'global' },
  softDelete: false,
  permissions: { view: 'products.view', create: 'admin.products', edit: 'admin.products', delete: 'admin.products' },
  // Codes are unique whatever their case: "ab-1" and "AB-1" are one code. The unique key still decides a race.
  uniques: [{ key: { table: 'products', columns: ['code'] }, field: 'code', messageKey: 'products.code_taken', ignoreCase: true }],
  hooks: productHooks,
  inUse,
  // Deactivated rather than deleted once documents refer to it; pickers offer active products only.
  activeColumn: 'is_active',
  defaults: () => ({ is_active: '1' }),
  search: () => ({ column: ['name', 'code'], match: 'contains' }),
  list: {
    columns: ['code', 'name', 'category_id', 'spec', 'unit', 'list_price', 'cost', 'is_active', 'updated_at'],
    sorts: { name: 'products.name', code: 'products.code', list_price: 'products.list_price', updated_at: 'products.updated_at' },
    defaultSort: 'name',
    defaultDir: 'asc',
    filters: {
      category_id: { kind: 'ref', column: 'products.category_id', options: (db, locale) => categoryOptions(db, locale), within: categoryAndBelow },
      active: { kind: 'boolean', column: 'products.is_active' },
    },
    links: [{ route: 'products.categories.index', labelKey: 'products.categories.title' }],
    tableTest: 'product-table',
  },
});
