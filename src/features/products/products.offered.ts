import type { Knex } from 'knex';
import { products } from './products.entity.js';

/** A product as a line item picks it: its price as "12.50" on either database. */
export type PickerProduct = { id: number; code: string; name: string; unit: string | null; list_price: string; is_active: boolean };

const COLUMNS = ['id', 'code', 'name', 'unit', 'list_price', 'is_active'];

function picked(row: Record<string, unknown>): PickerProduct {
  return {
    id: Number(row.id),
    code: String(row.code),
    name: String(row.name),
    unit: (row.unit as string | null) ?? null,
    list_price: products.fields.list_price.fromStored(row.list_price) as string,
    is_active: Boolean(row.is_active),
  };
}

/**
 * The products a line may pick: the active ones, plus `keepIds` (the products already on the
 * document), so an old quote whose product was since deactivated still shows and saves it.
 */
export async function pickerProducts(db: Knex, keepIds: Iterable<number> = []): Promise<PickerProduct[]> {
  const kept = [...new Set(keepIds)].filter((id) => Number.isSafeInteger(id) && id > 0);
  const rows = await db('products')
    .where((w) => {
      w.where('is_active', true);
      if (kept.length > 0) w.orWhereIn('id', kept);
    })
    .orderBy([{ column: 'name' }, { column: 'id' }])
    .select(COLUMNS);
  return rows.map(picked);
}

/** The products of these ids, by id (a line names its product by id). */
export async function productsByIds(db: Knex, ids: readonly number[]): Promise<Map<number, PickerProduct>> {
  const rows = ids.length === 0 ? [] : await db('products').whereIn('id', ids).select(COLUMNS);
  return new Map(rows.map((r: Record<string, unknown>) => [Number(r.id), picked(r)]));
}
