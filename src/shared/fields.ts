import { z } from 'zod';

// zod fields that several forms and lists share.

/** Optional text: trimmed, and an empty field is stored as NULL. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : null));

/** A list filter from the query string: trimmed, empty or malformed means "no filter". */
export const optionalFilter = z
  .string()
  .trim()
  .max(100)
  .optional()
  .catch(undefined)
  .transform((v) => (v ? v : undefined));

/** A position number; empty means "after the last one" on a new row, "unchanged" on an edit. */
export const sortNumber = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || /^\d{1,6}$/.test(v), 'validation.format')
  .transform((v) => (v ? Number(v) : null));

/** An unticked checkbox sends nothing, so absence means "off". */
export const checkbox = z
  .enum(['1'])
  .optional()
  .catch(undefined)
  .transform((v) => v === '1');
