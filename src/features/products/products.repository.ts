import type { Knex } from 'knex';
import { insertRow, likePattern } from '../../db/sql.js';
import { fromCents, toCents } from '../../shared/money.js';
import { pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import type { ProductListQuery, SortColumn } from './products.schema.js';

export type ProductRow = {
  id: number;
  category_id: number | null;
  name: string;
  code: string;
  spec: string | null;
  unit: string | null;
  /** DECIMAL strings ("12.50") whatever the dialect returned. */
  list_price: string;
  cost: string | null;
  is_active: boolean;
  version: number;
  created_at: string;
  updated_at: string;
};

type StoredProduct = Omit<ProductRow, 'id' | 'is_active'> & { is_active: boolean };

const sortColumn: Record<SortColumn, string> = { name: 'name', code: 'code', list_price: 'list_price', updated_at: 'updated_at' };

/** Rows as both dialects return them → one shape (money as "0.00" strings, booleans). */
function normalise(row: Record<string, unknown>): ProductRow {
  return {
    ...(row as unknown as ProductRow),
    list_price: fromCents(toCents(row.list_price as string | number)),
    cost: row.cost === null || row.cost === undefined ? null : fromCents(toCents(row.cost as string | number)),
    is_active: Boolean(row.is_active),
  };
}

/** Where a product can be referenced; a product found in any of them is deactivated, never deleted. */
const USAGE = [
  { table: 'quote_items', column: 'product_id' },
  { table: 'contract_items', column: 'product_id' },
  { table: 'opportunity_products', column: 'product_id' },
] as const;

export function productRepository(db: Knex) {
  return {
    /** Products are shared reference data: everyone with products.view sees them all. */
    async list(filters: ProductListQuery, categoryIds: number[] | null, page: PageRequest): Promise<Page<ProductRow>> {
      const query = db('products');
      if (filters.q) {
        const pattern = likePattern(filters.q, 'contains');
        query.where((w) => w.whereRaw(`name like ? escape '!'`, [pattern]).orWhereRaw(`code like ? escape '!'`, [pattern]));
      }
      if (categoryIds) query.whereIn('category_id', categoryIds);
      if (filters.active) query.where('is_active', filters.active === 'yes');
      const counted = await query.clone().count({ n: '*' }).first();
      const rows = await query
        .select('*')
        .orderBy([
          { column: sortColumn[filters.sort], order: filters.dir },
          { column: 'id', order: filters.dir },
        ])
        .limit(page.perPage + 1)
        .offset(page.offset);
      const hasNext = rows.length > page.perPage;
      return pageOf(rows.slice(0, page.perPage).map(normalise), page, Number(counted?.n ?? 0), hasNext);
    },

    async findById(id: number, trx: Knex = db): Promise<ProductRow | undefined> {
      const row = await trx('products').where({ id }).first();
      return row ? normalise(row) : undefined;
    },

    /** Codes are unique whatever their case: "ab-1" and "AB-1" are the same product code. */
    async codeTaken(code: string, exceptId?: number, trx: Knex = db): Promise<boolean> {
      const query = trx('products').whereRaw('lower(code) = ?', [code.toLowerCase()]);
      if (exceptId) query.whereNot('id', exceptId);
      return Boolean(await query.first('id'));
    },

    async isUsed(id: number, trx: Knex = db): Promise<boolean> {
      for (const { table, column } of USAGE) {
        if (await trx(table).where(column, id).first(trx.raw('1 as found'))) return true;
      }
      return false;
    },

    insert: (trx: Knex.Transaction, row: Omit<StoredProduct, 'version'> & { version: number }) => insertRow(trx, 'products', row),

    /** Writes only if the version still matches; 0 means someone else saved first. */
    updateIfVersion: (trx: Knex.Transaction, id: number, version: number, changes: Partial<StoredProduct>) =>
      trx('products')
        .where({ id, version })
        .update({ ...changes, version: version + 1 }),

    delete: (trx: Knex.Transaction, id: number) => trx('products').where({ id }).delete(),
  };
}
