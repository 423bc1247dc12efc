import { z } from 'zod';
import { optionalDate } from '../../shared/dates.js';
import { optionalFilter, optionalText } from '../../shared/fields.js';
import { idField, idFilter, optionalId } from '../../shared/ids.js';
import { currencyField } from '../../shared/money.js';

/** The quote's own fields; its line items are read by features/line-items. */
export const quoteInput = z.object({
  customer_id: idField,
  opportunity_id: optionalId,
  title: z.string().trim().min(1).max(200),
  currency: currencyField,
  valid_until: optionalDate('quotes.invalid_date'),
  remark: optionalText(5000),
});
export type QuoteInput = z.infer<typeof quoteInput>;

/** Header fields, in the order the audit trail and the 409 notice list them. */
export const QUOTE_FIELDS = ['customer_id', 'opportunity_id', 'title', 'currency', 'valid_until', 'remark'] as const;
/** Computed fields the audit trail also records. */
export const TOTAL_FIELDS = ['subtotal', 'discount_total', 'total'] as const;


export const QUOTE_STATUSES = ['draft', 'sent', 'accepted', 'rejected'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

export const statusInput = z.object({ status: z.enum(QUOTE_STATUSES), version: z.coerce.number().int().min(1) });

export const SORTABLE_COLUMNS = ['number', 'title', 'status', 'total', 'valid_until', 'updated_at', 'created_at'] as const;
export type SortColumn = (typeof SORTABLE_COLUMNS)[number];

export const quoteListQuery = z.object({
  q: optionalFilter,
  status: z.enum(QUOTE_STATUSES).optional().catch(undefined),
  customer_id: idFilter,
  sort: z.enum(SORTABLE_COLUMNS).catch('created_at'),
  dir: z.enum(['asc', 'desc']).catch('desc'),
});
export type QuoteListQuery = z.infer<typeof quoteListQuery>;
