import { numbering } from '../../kernel/data/numbering.js';
import { defineEntity } from '../../kernel/entity/define-entity.js';
import { currency, date, enumOf, longText, money, ref, text, user } from '../../kernel/entity/fields.js';
import { lineItemsHook, type LineItemsOf } from '../line-items/index.js';
import { QUOTE_STATUSES, quoteStatusHook } from './quotes.status.js';

export const QUOTE_ITEMS: LineItemsOf = { table: 'quote_items', parentColumn: 'quote_id' };

// A quote is its author's (owned scope), made for a customer in their scope, numbered QT-<year>-000123;
// its totals are priced from its lines, never typed.
export const quotes = defineEntity({
  name: 'quote',
  plural: 'quotes',
  table: 'quotes',
  fields: {
    number: text(40, { editable: false }),
    customer_id: ref('customer', { required: true, editable: false }),
    title: text(200, { required: true, width: 8 }),
    opportunity_id: ref('opportunity', { within: 'customer_id', width: 4 }),
    currency: currency(),
    valid_until: date({ invalidKey: 'quotes.invalid_date', width: 3 }),
    remark: longText(5000),
    subtotal: money({ editable: false }),
    discount_total: money({ editable: false }),
    total: money({ editable: false }),
    status: enumOf(QUOTE_STATUSES, 'quotes.status', { editable: false }),
    owner_id: user({ editable: false }),
    created_by: user({ editable: false }),
  },
  titleColumn: 'number',
  parent: 'customer_id',
  scope: { kind: 'owned', column: 'owner_id' },
  softDelete: true,
  permissions: { view: 'quotes.view', create: 'quotes.create', edit: 'quotes.edit' },
  createdByColumn: 'created_by',
  defaults: () => ({ currency: 'CNY' }),
  hooks: [numbering('QT', 'number'), quoteStatusHook, lineItemsHook(QUOTE_ITEMS)],
  search: () => ({ column: ['number', 'title'], match: 'contains' }),
  list: {
    columns: ['number', 'title', 'customer_id', 'status', 'subtotal', 'discount_total', { key: 'total', cell: (row, c) => ({ text: `${String(row.currency)} ${c.fmt.money(row.total as string)}` }) }, 'valid_until', 'owner_id', 'created_at'],
    // created_at follows id, so "newest first" is read in primary-key order (the quotes_owner index).
    sorts: {
      number: 'quotes.number',
      title: 'quotes.title',
      status: 'quotes.status',
      total: 'quotes.total',
      valid_until: 'quotes.valid_until',
      updated_at: 'quotes.updated_at',
      created_at: 'quotes.id',
    },
    defaultSort: 'created_at',
    defaultDir: 'desc',
    filters: { status: { kind: 'enum', column: 'quotes.status', values: QUOTE_STATUSES, labelPrefix: 'quotes.status' } },
  },
});
