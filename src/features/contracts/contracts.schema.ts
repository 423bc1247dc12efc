import { z } from 'zod';
import { optionalDate as dateField, requiredDate as requiredDateField } from '../../shared/dates.js';
import { optionalFilter, optionalText } from '../../shared/fields.js';
import { idField, idFilter, optionalId } from '../../shared/ids.js';
import { currencyField } from '../../shared/money.js';

export const CONTRACT_STATUSES = ['draft', 'pending_approval', 'approved', 'signed', 'terminated'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

/** Statuses whose form may be edited: a draft, and an approved contract (a new total goes back to approval). */
export const EDITABLE_STATUSES: readonly ContractStatus[] = ['draft', 'approved'];

/** An optional date field: empty is NULL. */
export const optionalDate = dateField('validation.contracts.date');

export const requiredDate = requiredDateField('validation.contracts.date');

export const contractInput = z.object({
  customer_id: idField,
  opportunity_id: optionalId,
  quote_id: optionalId,
  title: z.string().trim().min(1).max(200),
  currency: currencyField,
  sign_date: optionalDate,
  start_date: optionalDate,
  end_date: optionalDate,
  remark: optionalText(5000),
  owner_id: optionalId,
});
export type ContractInput = z.infer<typeof contractInput>;

/** The fields a contract form edits, in the order the audit trail and the 409 notice list them. */
export const CONTRACT_FIELDS = [
  'customer_id', 'opportunity_id', 'quote_id', 'title', 'currency', 'total', 'sign_date', 'start_date', 'end_date',
  'remark', 'owner_id',
] as const;


export const commentInput = z.object({ comment: optionalText(2000) });
export const requiredCommentInput = z.object({ comment: z.string({ message: 'validation.required' }).trim().min(1).max(2000) });
export const signInput = z.object({ sign_date: requiredDate });

export const SORTABLE_COLUMNS = ['number', 'title', 'total', 'status', 'sign_date', 'updated_at', 'created_at'] as const;
export type SortColumn = (typeof SORTABLE_COLUMNS)[number];

export const contractListQuery = z.object({
  q: optionalFilter,
  status: z.enum(CONTRACT_STATUSES).optional().catch(undefined),
  owner_id: idFilter,
  customer_id: idFilter,
  sort: z.enum(SORTABLE_COLUMNS).catch('created_at'),
  dir: z.enum(['asc', 'desc']).catch('desc'),
});
export type ContractListQuery = z.infer<typeof contractListQuery>;
