import { z } from 'zod';
import { optionalFilter, optionalText } from '../../shared/fields.js';
import { requiredDate as requiredDateField } from '../../shared/dates.js';
import { idField, idFilter } from '../../shared/ids.js';
import { positiveMoneyField } from '../../shared/money.js';

const requiredDate = requiredDateField();

/** An instalment of a contract's payment plan. An empty seq takes the next number. */
export const planInput = z.object({
  seq: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^\d{1,4}$/.test(v), 'validation.format')
    .transform((v) => (v ? Number(v) : null))
    .refine((v) => v === null || v >= 1, 'validation.format'),
  due_date: requiredDate,
  amount: positiveMoneyField,
  remark: optionalText(500),
});
export type PlanInput = z.infer<typeof planInput>;

/** A payment received, applied to one instalment. */
export const recordInput = z.object({
  plan_id: idField,
  amount: positiveMoneyField,
  paid_on: requiredDate,
  method: z.string({ message: 'validation.required' }).trim().min(1).max(40),
  reference: optionalText(100),
  remark: optionalText(500),
});
export type RecordInput = z.infer<typeof recordInput>;

export const PLAN_FORM_FIELDS = ['seq', 'due_date', 'amount', 'remark'] as const;
export const RECORD_FORM_FIELDS = ['plan_id', 'amount', 'paid_on', 'method', 'reference', 'remark'] as const;

export const RECEIVABLE_SORTS = ['due_date', 'amount', 'number', 'customer'] as const;
export type ReceivableSort = (typeof RECEIVABLE_SORTS)[number];

export const receivablesQuery = z.object({
  /** A contract number or a customer name, matched by prefix. */
  q: optionalFilter,
  due: z.enum(['overdue', 'this_month']).optional().catch(undefined),
  /** Not settled by default: the list is what is still to be collected. */
  settled: z.enum(['open', 'settled', 'all']).catch('open'),
  owner_id: idFilter,
  sort: z.enum(RECEIVABLE_SORTS).catch('due_date'),
  dir: z.enum(['asc', 'desc']).catch('asc'),
});
export type ReceivablesQuery = z.infer<typeof receivablesQuery>;
