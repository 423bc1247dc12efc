import { z } from 'zod';
import { optionalDate } from '../../shared/dates.js';
import { optionalFilter, optionalText } from '../../shared/fields.js';
import { idField } from '../../shared/ids.js';

export const contactInput = z.object({
  name: z.string().trim().min(1).max(100),
  title: optionalText(100),
  phone: optionalText(50).refine((v) => v === null || /^[0-9+\-() ]{5,50}$/.test(v), 'validation.phone'),
  email: optionalText(200).refine((v) => v === null || z.email().safeParse(v).success, 'validation.email'),
  wechat: optionalText(100),
  // An unticked checkbox sends nothing at all.
  is_key_decision_maker: z
    .string()
    .optional()
    .transform((v) => v === '1' || v === 'on'),
  birthday: optionalDate('contacts.error.birthday'),
  remark: optionalText(5000),
});
export type ContactInput = z.infer<typeof contactInput>;

/** The fields a contact form edits, in the order the audit trail and the 409 notice list them. */
export const CONTACT_FIELDS = ['name', 'title', 'phone', 'email', 'wechat', 'is_key_decision_maker', 'birthday', 'remark'] as const;

export const customerIdInput = z.object({ customer_id: idField });

export const SORTABLE_COLUMNS = ['name', 'customer', 'updated_at', 'created_at'] as const;
export type SortColumn = (typeof SORTABLE_COLUMNS)[number];

// Sorted by name unless asked otherwise: the contacts_name index serves that order for every scope,
// while the other sorts need a sort of the matching rows.
export const contactListQuery = z.object({
  q: optionalFilter,
  sort: z.enum(SORTABLE_COLUMNS).catch('name'),
  dir: z.enum(['asc', 'desc']).catch('asc'),
});
export type ContactListQuery = z.infer<typeof contactListQuery>;
