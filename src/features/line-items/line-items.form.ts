import type { Knex } from 'knex';
import { parseId } from '../../shared/ids.js';
import { blankRowsFor, type LineItemValues } from './line-items.parse.js';
import { pickerProducts, type PickerProduct } from '../products/index.js';

/** What views/_items.ejs expects as its `lineItems` local. */
export type LineItemsLocals = { rows: LineItemValues[]; products: PickerProduct[]; blankRows: number };

/**
 * The items partial's data: the rows to show (typed or stored), the picker's products (active
 * ones plus those on the rows) and how many blank rows to add. `body` is the posted form, if any,
 * so "add rows" and a 422 keep the number of blank rows the user had.
 */
export async function lineItemsLocals(db: Knex, rows: LineItemValues[], body?: unknown): Promise<LineItemsLocals> {
  const keep = rows.map((r) => parseId(r.product_id)).filter((id): id is number => id !== null);
  return { rows, products: await pickerProducts(db, keep), blankRows: blankRowsFor(body, rows.length) };
}
