import type { Knex } from 'knex';
import type { FieldErrors } from '../../shared/errors.js';
import { lineAmounts, MAX_MONEY_CENTS } from '../../shared/money.js';
import { productsByIds } from '../products/index.js';
import { itemKey, parseLineItems, type LineItem, type ParsedLineItems } from './line-items.parse.js';
import { priceLines } from './line-items.pricing.js';

/**
 * Rules the form alone cannot check: a picked product exists and is sold (unless it is already on
 * the document: `keepProductIds`). A line that picked a product and left the name or price blank
 * takes the product's name and list price — that is how the form works without JavaScript.
 */
export async function checkLineItemProducts(
  db: Knex,
  items: readonly LineItem[],
  options: { keepProductIds?: Iterable<number> } = {},
): Promise<{ items: LineItem[]; errors: FieldErrors }> {
  const ids = [...new Set(items.map((i) => i.product_id).filter((id): id is number => id !== null))];
  const products = await productsByIds(db, ids);
  const kept = new Set(options.keepProductIds ?? []);
  const errors: FieldErrors = {};
  const resolved = items.map((item, index) => {
    if (item.product_id === null) return item;
    const product = products.get(item.product_id);
    if (!product || (!product.is_active && !kept.has(item.product_id))) {
      errors[itemKey(index, 'product_id')] = { key: 'line_items.product_unavailable' };
      return item;
    }
    const filled = {
      ...item,
      product_name: item.product_name || product.name,
      unit_price: item.unit_price || product.list_price,
    };
    if (lineAmounts(filled.quantity, filled.unit_price, filled.discount_percent).gross > MAX_MONEY_CENTS) {
      errors[itemKey(index, 'quantity')] = { key: 'line_items.too_large' };
    }
    return filled;
  });
  return { items: Object.keys(errors).length === 0 ? resolved : [], errors };
}

/** parseLineItems then checkLineItemProducts: the one call a document's controller needs. */
export async function readLineItems(
  db: Knex,
  body: unknown,
  options: { allowEmpty?: boolean; keepProductIds?: Iterable<number> } = {},
): Promise<ParsedLineItems> {
  const parsed = parseLineItems(body, options);
  if (Object.keys(parsed.errors).length > 0) return parsed;
  const checked = await checkLineItemProducts(db, parsed.items, options);
  const priced = Object.keys(checked.errors).length === 0 ? priceLines(checked.items) : undefined;
  if (priced && priced.subtotal > MAX_MONEY_CENTS) {
    // The document's total would pass what money holds exactly: the line that takes it over is marked.
    let running = 0n;
    const over = priced.lines.findIndex((line) => (running += line.gross) > MAX_MONEY_CENTS);
    const errors = { items: { key: 'line_items.total_too_large' }, [itemKey(over, 'quantity')]: { key: 'line_items.too_large' } };
    return { rows: parsed.rows, items: [], errors };
  }
  return { rows: parsed.rows, items: checked.items, errors: checked.errors };
}
