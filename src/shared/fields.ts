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
