import { fromCents, lineAmounts, type Cents } from '../../shared/money.js';
import type { LineItem } from './line-items.parse.js';

export type PricedLineItem = LineItem & { gross: Cents; discount: Cents; net: Cents };

export type PricedLineItems = {
  lines: PricedLineItem[];
  /** Before discounts. */
  subtotal: Cents;
  discount_total: Cents;
  /** subtotal − discount_total: the sum of the lines' nets, each rounded to the cent once. */
  total: Cents;
};

/**
 * Prices a document from its items alone: whatever totals a browser sent are never read. Each
 * line is rounded once (shared/money lineAmounts); the document's totals add the rounded lines,
 * so the printed lines always add up to the printed total.
 */
export function priceLines(items: readonly LineItem[]): PricedLineItems {
  let subtotal = 0n;
  let discountTotal = 0n;
  const lines = items.map((item) => {
    const amounts = lineAmounts(item.quantity, item.unit_price || '0', item.discount_percent || '0');
    subtotal += amounts.gross;
    discountTotal += amounts.discount;
    return { ...item, ...amounts };
  });
  return { lines, subtotal, discount_total: discountTotal, total: subtotal - discountTotal };
}

/** The totals as DECIMAL strings, for the document's subtotal / discount_total / total columns. */
export function totalsColumns(priced: PricedLineItems): { subtotal: string; discount_total: string; total: string } {
  return {
    subtotal: fromCents(priced.subtotal),
    discount_total: fromCents(priced.discount_total),
    total: fromCents(priced.total),
  };
}
