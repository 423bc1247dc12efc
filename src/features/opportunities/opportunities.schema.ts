import { z } from 'zod';
import { optionalDate as dateField } from '../../shared/dates.js';
import { optionalFilter, optionalText } from '../../shared/fields.js';
import { idField, idFilter, idList } from '../../shared/ids.js';
import { currencyField, moneyField } from '../../shared/money.js';

/** A DATE field: empty is NULL; otherwise a real calendar day. */
const optionalDate = dateField('opportunities.date_invalid');

/** A whole percent; empty means "the stage's default". */
const optionalPercent = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || (/^\d{1,3}$/.test(v) && Number(v) <= 100), 'opportunities.probability_range')
  .transform((v) => (v ? Number(v) : null));

export const opportunityInput = z.object({
  customer_id: idField,
  title: z.string().trim().min(1).max(200),
  amount: moneyField,
  currency: currencyField,
  stage_id: idField,
  probability: optionalPercent,
  expected_close_date: optionalDate,
  owner_id: idFilter,
  product_ids: idList(200),
  lost_reason: optionalText(40),
  remark: optionalText(5000),
});
export type OpportunityInput = z.infer<typeof opportunityInput>;

/** The fields the audit trail records, in this order (products as a sorted id list). */
export const OPPORTUNITY_FIELDS = [
  'customer_id', 'title', 'amount', 'currency', 'stage_id', 'probability', 'expected_close_date', 'owner_id',
  'lost_reason', 'remark', 'product_ids',
] as const;


/** The board's card form: move to another stage. */
export const stageMoveInput = z.object({
  stage_id: idField,
  version: z.coerce.number().int().min(1),
  lost_reason: optionalText(40),
});

export const SORTABLE_COLUMNS = ['title', 'amount', 'probability', 'expected_close_date', 'stage', 'updated_at', 'created_at'] as const;
export type SortColumn = (typeof SORTABLE_COLUMNS)[number];

export const opportunityListQuery = z.object({
  q: optionalFilter,
  stage_id: idFilter,
  owner_id: idFilter,
  customer_id: idFilter,
  close_month: z
    .string()
    .trim()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional()
    .catch(undefined),
  // Soonest to close first: the question a pipeline list answers, and an indexed order.
  sort: z.enum(SORTABLE_COLUMNS).catch('expected_close_date'),
  dir: z.enum(['asc', 'desc']).catch('asc'),
});
export type OpportunityListQuery = z.infer<typeof opportunityListQuery>;

export const boardQuery = z.object({
  owner_id: idFilter,
});
