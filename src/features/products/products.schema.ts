import { z } from 'zod';
import { optionalFilter, optionalText } from '../../shared/fields.js';
import { idFilter, optionalId } from '../../shared/ids.js';
import { moneyField } from '../../shared/money.js';

export const productInput = z.object({
  category_id: optionalId,
  name: z.string().trim().min(1).max(200),
  code: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .regex(/^[\p{L}\p{N}._\-/]+$/u, { message: 'products.code_format' }),
  spec: optionalText(200),
  unit: optionalText(20),
  /** Read as the stored "12.50", so an unchanged price is not audited as a change. */
  list_price: moneyField,
  cost: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v : undefined))
    .pipe(moneyField.optional())
    .transform((v) => v ?? null),
  /** A checkbox: present means active. */
  is_active: z
    .string()
    .optional()
    .transform((v) => v === '1'),
});
export type ProductInput = z.infer<typeof productInput>;

/** The fields a product form edits, in the order the audit trail lists them. */
export const PRODUCT_FIELDS = ['category_id', 'name', 'code', 'spec', 'unit', 'list_price', 'cost', 'is_active'] as const;


export const SORTABLE_COLUMNS = ['name', 'code', 'list_price', 'updated_at'] as const;
export type SortColumn = (typeof SORTABLE_COLUMNS)[number];

export const productListQuery = z.object({
  q: optionalFilter,
  category_id: idFilter,
  active: z.enum(['yes', 'no']).optional().catch(undefined),
  sort: z.enum(SORTABLE_COLUMNS).catch('name'),
  dir: z.enum(['asc', 'desc']).catch('asc'),
});
export type ProductListQuery = z.infer<typeof productListQuery>;
