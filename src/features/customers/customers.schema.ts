import { z } from 'zod';
import { optionalFilter, optionalText } from '../../shared/fields.js';
import { localDateTime } from '../../shared/dates.js';
import { idFilter } from '../../shared/ids.js';

export const CUSTOMER_KINDS = ['company', 'individual'] as const;

export const customerInput = z.object({
  kind: z.enum(CUSTOMER_KINDS),
  name: z.string().trim().min(1).max(200),
  company: optionalText(200),
  phone: optionalText(50).refine((v) => v === null || /^[0-9+\-() ]{5,50}$/.test(v), 'validation.phone'),
  email: optionalText(200).refine((v) => v === null || z.email().safeParse(v).success, 'validation.email'),
  industry: optionalText(40),
  source: optionalText(40),
  level: optionalText(40),
  status: z.string().trim().min(1).max(40),
  region: optionalText(100),
  address: optionalText(500),
  remark: optionalText(5000),
  owner_id: idFilter,
  /** datetime-local value in the user's time zone; converted to UTC by the service. */
  next_follow_up_at: localDateTime,
});
export type CustomerInput = z.infer<typeof customerInput>;

/** The fields a customer form edits, in the order the audit trail and the 409 notice list them. */
export const CUSTOMER_FIELDS = [
  'kind', 'name', 'company', 'phone', 'email', 'industry', 'source', 'level', 'status', 'region', 'address',
  'remark', 'owner_id', 'next_follow_up_at',
] as const;


export const SORTABLE_COLUMNS = ['name', 'status', 'level', 'last_contact_at', 'next_follow_up_at', 'updated_at', 'created_at'] as const;
export type SortColumn = (typeof SORTABLE_COLUMNS)[number];

export const customerListQuery = z.object({
  q: optionalFilter,
  status: optionalFilter,
  level: optionalFilter,
  source: optionalFilter,
  owner_id: idFilter,
  deleted: z
    .enum(['1'])
    .optional()
    .catch(undefined)
    .transform((v) => v === '1'),
  sort: z.enum(SORTABLE_COLUMNS).catch('updated_at'),
  dir: z.enum(['asc', 'desc']).catch('desc'),
});
export type CustomerListQuery = z.infer<typeof customerListQuery>;
