import { z } from 'zod';

// zod fields that several forms and lists share.

/** A real calendar day as 'YYYY-MM-DD' (what a DATE column and an <input type="date"> hold): 2026-02-31 is not one. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

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

/** The id picked from a <select>: empty means "none" (NULL). */
export const optionalId = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || /^\d{1,10}$/.test(v), 'validation.choice')
  .transform((v) => (v ? Number(v) : null));
