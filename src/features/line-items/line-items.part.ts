import type { Hook, WriteContext } from '../../kernel/data/hooks.js';
import type { FormPart } from '../../kernel/web/form-part.js';
import { fromCents, toCents } from '../../shared/money.js';
import { lineItemsLocals } from './line-items.form.js';
import { parseLineItems, wantsMoreRows, type LineItem } from './line-items.parse.js';
import { priceLines, totalsColumns, type PricedLineItems } from './line-items.pricing.js';
import { readLineItems } from './line-items.products.js';
import { loadLineItems, saveLineItems, valuesOfStoredItems, type LineItemParentColumn, type LineItemTable } from './line-items.repository.js';

// A document's lines on the kernel: edited on the document's form (a form part), priced here, and
// written by a hook in the document's own transaction, recorded in its audit row as one line of text.

export type LineItemsOf = { table: LineItemTable; parentColumn: LineItemParentColumn };

type Described = Pick<LineItem, 'product_name' | 'quantity' | 'unit_price' | 'discount_percent'>;

/** "Widget 3 × 33.33 −10%; …": the items as the audit trail records them. */
function describeItems(items: readonly Described[]): string {
  return items
    .map((i) => `${i.product_name} ${i.quantity} × ${i.unit_price}${Number(i.discount_percent) > 0 ? ` −${i.discount_percent}%` : ''}`)
    .join('; ');
}

/** The same lines whether stored ('3.00') or typed ('3'): a save that keeps them is no change. */
const sameLines = (a: readonly Described[], b: readonly Described[]) => {
  const canonical = (items: readonly Described[]) =>
    describeItems(items.map((i) => ({ ...i, quantity: fromCents(toCents(i.quantity)), unit_price: fromCents(toCents(i.unit_price)), discount_percent: fromCents(toCents(i.discount_percent)) })));
  return canonical(a) === canonical(b);
};

/** The items partial on the document's form; the priced totals join the document's columns. */
export function lineItemsPart({ table, parentColumn }: LineItemsOf): FormPart {
  return {
    view: 'features/line-items/views/_items',
    redisplay: wantsMoreRows,
    async locals(db, { row, body }) {
      const rows = row ? valuesOfStoredItems(await loadLineItems(db, table, parentColumn, row.id)) : parseLineItems(body).rows;
      return { lineItems: await lineItemsLocals(db, rows, body) };
    },
    async read(db, body, row) {
      // Products already on the document stay selectable even if deactivated since.
      const stored = row ? await loadLineItems(db, table, parentColumn, row.id) : [];
      const items = await readLineItems(db, body, { keepProductIds: stored.flatMap((i) => (i.product_id ? [i.product_id] : [])) });
      if (Object.keys(items.errors).length > 0) return { errors: items.errors };
      const priced = priceLines(items.items);
      return { errors: {}, values: totalsColumns(priced), related: priced };
    },
  };
}

/** Replaces the document's lines with the priced ones its write carries (`related`), in its transaction. */
export function lineItemsHook({ table, parentColumn }: LineItemsOf): Hook {
  const pricedOf = (c: WriteContext) => (c.op.kind === 'create' || c.op.kind === 'update' ? (c.op.related as PricedLineItems | undefined) : undefined);
  return {
    async changes(c) {
      const priced = pricedOf(c);
      if (!priced) return;
      const stored = c.before ? await loadLineItems(c.trx, table, parentColumn, c.id) : null;
      if (!stored || !sameLines(stored, priced.lines)) return { items: { before: stored && describeItems(stored), after: describeItems(priced.lines) } };
    },
    async after(c) {
      const priced = pricedOf(c);
      if (priced) await saveLineItems(c.trx, table, parentColumn, c.id, priced);
    },
  };
}
