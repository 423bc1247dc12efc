import { z } from 'zod';
import type { FieldErrors } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { decimalField, lineAmounts, MAX_MONEY_CENTS, moneyField, toCents } from '../../shared/money.js';

// Line items arrive as flat form keys such as `items[0][quantity]`: the app parses bodies with
// `extended: false`, so nothing turns them into nested objects for us, and we do not want a
// nested-object parser for the whole app just for this.

export const LINE_ITEM_FIELDS = ['product_id', 'product_name', 'quantity', 'unit_price', 'discount_percent'] as const;
export type LineItemField = (typeof LINE_ITEM_FIELDS)[number];

/** One row as the user typed it (strings), for showing the form again. */
export type LineItemValues = Record<LineItemField, string>;

/**
 * One valid row. Decimals are canonical strings ("3", "33.33"). `product_name` and `unit_price`
 * may be '' only when a product is picked: checkLineItemProducts() fills them from the product.
 */
export type LineItem = {
  product_id: number | null;
  product_name: string;
  quantity: string;
  unit_price: string;
  discount_percent: string;
};

export type ParsedLineItems = {
  /** The non-blank rows as typed, re-numbered 0..n-1: the indices the re-rendered form uses. */
  rows: LineItemValues[];
  /** Valid only when `errors` is empty. */
  items: LineItem[];
  /** Keyed `items[<row>][<field>]`, plus `items` for "no line items at all". */
  errors: FieldErrors;
};

/** More rows than any real quote has; keeps a hostile form from making us loop for long. */
export const MAX_LINE_ITEMS = 200;

const ITEM_KEY = /^items\[(\d{1,4})\]\[(\w+)\]$/;

export const itemKey = (row: number, field: LineItemField | string) => `items[${row}][${field}]`;

/** The rows of a body, in index order; accepts flat keys and (should a parser nest them) objects. */
function rowsOfBody(body: unknown): Map<number, Partial<LineItemValues>> {
  const source = (body ?? {}) as Record<string, unknown>;
  const rows = new Map<number, Partial<LineItemValues>>();
  const put = (index: number, field: string, value: unknown) => {
    if (!(LINE_ITEM_FIELDS as readonly string[]).includes(field) || typeof value !== 'string') return;
    const row = rows.get(index) ?? {};
    row[field as LineItemField] = value;
    rows.set(index, row);
  };
  for (const [key, value] of Object.entries(source)) {
    const match = ITEM_KEY.exec(key);
    if (match) put(Number(match[1]), match[2], value);
  }
  const nested = source.items;
  if (nested && typeof nested === 'object') {
    for (const [index, row] of Object.entries(nested as Record<string, unknown>)) {
      if (!/^\d{1,4}$/.test(index) || !row || typeof row !== 'object') continue;
      for (const [field, value] of Object.entries(row as Record<string, unknown>)) put(Number(index), field, value);
    }
  }
  return new Map([...rows.entries()].sort(([a], [b]) => a - b));
}

const nameField = z.string().trim().max(200);

/** Checks one field with a zod field; the error key is the one every form shows for it. */
function check<T>(field: z.ZodType<T>, value: string, fallbackKey: string): { ok: true; value: T } | { ok: false; key: string } {
  const result = field.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const message = result.error.issues[0]?.message ?? '';
  return { ok: false, key: message.startsWith('validation.') ? message : fallbackKey };
}

/** "033.50" → "33.5": what the database will hold, so comparisons and audits are stable. */
function canonical(decimal: string): string {
  const [whole, fraction = ''] = decimal.split('.');
  const trimmedFraction = fraction.replace(/0+$/, '');
  const trimmedWhole = whole.replace(/^0+(?=\d)/, '');
  return trimmedFraction ? `${trimmedWhole}.${trimmedFraction}` : trimmedWhole;
}

/**
 * Reads and validates the line items of a form. Fully blank rows are skipped (the form always
 * offers a few empty ones). Options: `allowEmpty` accepts a document without items.
 */
export function parseLineItems(body: unknown, options: { allowEmpty?: boolean } = {}): ParsedLineItems {
  const rows: LineItemValues[] = [];
  for (const typed of rowsOfBody(body).values()) {
    const row = Object.fromEntries(LINE_ITEM_FIELDS.map((f) => [f, typed[f] ?? ''])) as LineItemValues;
    if (LINE_ITEM_FIELDS.every((f) => row[f].trim() === '')) continue;
    rows.push(row);
  }
  const errors: FieldErrors = {};
  const items: LineItem[] = [];
  if (rows.length === 0 && !options.allowEmpty) errors.items = { key: 'line_items.required' };
  if (rows.length > MAX_LINE_ITEMS) errors.items = { key: 'line_items.too_many', params: { max: MAX_LINE_ITEMS } };

  rows.slice(0, MAX_LINE_ITEMS).forEach((row, index) => {
    const fail = (field: LineItemField, key: string, params?: Record<string, string | number>) => {
      errors[itemKey(index, field)] ??= params ? { key, params } : { key };
    };
    let productId: number | null = null;
    if (row.product_id.trim() !== '') {
      productId = parseId(row.product_id);
      if (productId === null) fail('product_id', 'validation.choice');
    }
    const name = check(nameField, row.product_name, 'validation.too_long');
    if (!name.ok) fail('product_name', 'validation.too_long', { max: 200 });
    else if (name.value === '' && productId === null) fail('product_name', 'validation.required');

    let quantity = '';
    if (row.quantity.trim() === '') fail('quantity', 'validation.required');
    else {
      const q = check(decimalField, row.quantity, 'validation.decimal');
      if (!q.ok) fail('quantity', q.key);
      else if (toCents(q.value) <= 0n) fail('quantity', 'line_items.quantity_positive');
      else quantity = canonical(q.value);
    }

    let unitPrice = '';
    if (row.unit_price.trim() === '') {
      if (productId === null) fail('unit_price', 'validation.required');
    } else {
      const p = check(moneyField, row.unit_price, 'validation.money');
      if (!p.ok) fail('unit_price', p.key);
      else unitPrice = canonical(p.value);
    }

    let discount = '0';
    if (row.discount_percent.trim() !== '') {
      const d = check(decimalField, row.discount_percent, 'validation.decimal');
      if (!d.ok) fail('discount_percent', d.key);
      else if (toCents(d.value) > 10_000n) fail('discount_percent', 'line_items.discount_range');
      else discount = canonical(d.value);
    }

    if (quantity && unitPrice && lineAmounts(quantity, unitPrice, discount).gross > MAX_MONEY_CENTS) {
      fail('quantity', 'line_items.too_large');
    }
    items.push({
      product_id: productId,
      product_name: name.ok ? name.value : '',
      quantity,
      unit_price: unitPrice,
      discount_percent: discount,
    });
  });
  return { rows, items: Object.keys(errors).length === 0 ? items : [], errors };
}

/** The "add rows" button of the items partial was pressed: show the form again, nothing saved. */
export function wantsMoreRows(body: unknown): boolean {
  return ((body ?? {}) as Record<string, unknown>).add_rows === '1';
}

/** How many blank rows to offer: a few on a new form, five more each time "add rows" is pressed. */
export function blankRowsFor(body: unknown, filledRows: number): number {
  const source = (body ?? {}) as Record<string, unknown>;
  const shown = Number(source.items_blank);
  const current = Number.isInteger(shown) && shown >= 0 && shown <= 50 ? shown : Math.max(1, 3 - filledRows);
  return wantsMoreRows(body) ? Math.min(50, current + 5) : current;
}
