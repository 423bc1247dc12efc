import type { Knex } from 'knex';
import { fromCents, toCents } from '../../shared/money.js';
import type { LineItemValues } from './line-items.parse.js';
import type { PricedLineItems } from './line-items.pricing.js';

export type LineItemTable = 'quote_items' | 'contract_items';
export type LineItemParentColumn = 'quote_id' | 'contract_id';

/** A stored line, money as DECIMAL strings whatever the dialect returned. */
export type StoredLineItem = {
  id: number;
  product_id: number | null;
  product_name: string;
  /** The product's current code and whether it is still sold (null when the line has no product). */
  product_code: string | null;
  product_active: boolean | null;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  line_total: string;
  sort: number;
};

/**
 * Replaces a document's items with `priced` (delete then insert), inside the caller's
 * transaction, which also writes the document's totals and its audit row.
 */
export async function saveLineItems(
  trx: Knex.Transaction,
  table: LineItemTable,
  parentColumn: LineItemParentColumn,
  parentId: number,
  priced: PricedLineItems,
): Promise<void> {
  await trx(table).where(parentColumn, parentId).delete();
  if (priced.lines.length === 0) return;
  const rows = priced.lines.map((line, index) => ({
    [parentColumn]: parentId,
    product_id: line.product_id,
    product_name: line.product_name,
    quantity: line.quantity,
    unit_price: line.unit_price,
    discount_percent: line.discount_percent,
    line_total: fromCents(line.net),
    sort: (index + 1) * 10,
  }));
  // In slices: SQLite limits the number of bound variables per statement.
  for (let i = 0; i < rows.length; i += 50) await trx(table).insert(rows.slice(i, i + 50));
}

/** Normalises a DECIMAL read back from either dialect ("33.3", 33.3, "33.30") to "33.30". */
const decimal = (value: string | number | null) => fromCents(toCents(value));

/** A document's items in order, with their product's code and active flag for display. */
export async function loadLineItems(
  db: Knex,
  table: LineItemTable,
  parentColumn: LineItemParentColumn,
  parentId: number,
): Promise<StoredLineItem[]> {
  const rows = await db(`${table} as li`)
    .leftJoin('products as p', 'p.id', 'li.product_id')
    .where(`li.${parentColumn}`, parentId)
    .orderBy([{ column: 'li.sort' }, { column: 'li.id' }])
    .select(
      'li.id',
      'li.product_id',
      'li.product_name',
      'li.quantity',
      'li.unit_price',
      'li.discount_percent',
      'li.line_total',
      'li.sort',
      'p.code as product_code',
      'p.is_active as product_active',
    );
  return rows.map((r) => ({
    id: r.id,
    product_id: r.product_id ?? null,
    product_name: r.product_name,
    product_code: r.product_code ?? null,
    product_active: r.product_active === null || r.product_active === undefined ? null : Boolean(r.product_active),
    quantity: decimal(r.quantity),
    unit_price: decimal(r.unit_price),
    discount_percent: decimal(r.discount_percent),
    line_total: decimal(r.line_total),
    sort: r.sort,
  }));
}

/** Stored items as the strings the items partial shows, for an edit form. */
export function valuesOfStoredItems(items: readonly StoredLineItem[]): LineItemValues[] {
  return items.map((item) => ({
    product_id: item.product_id === null ? '' : String(item.product_id),
    product_name: item.product_name,
    quantity: item.quantity,
    unit_price: item.unit_price,
    discount_percent: item.discount_percent,
  }));
}
