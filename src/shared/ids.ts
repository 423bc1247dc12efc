import type { Request } from 'express';
import { z } from 'zod';
import { NotFoundError } from './errors.js';

// Every id the app reads from a request (route params, query strings, form fields naming a record)
// is parsed here. An id is written one way only: a positive integer in plain digits within the safe
// range. Number() alone read '0x10' as 16, '1e3' as 1000 and ' 1' as 1, so /customers/0x10 opened
// customer 16, and 'Infinity' reached MySQL as a bind value and failed there.

const CANONICAL_ID = /^[1-9][0-9]{0,15}$/;

/** The id a value names, or null for anything but a canonical positive integer. */
export function parseId(value: unknown): number | null {
  if (typeof value !== 'string' || !CANONICAL_ID.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

/** A route parameter (`:id` by default); anything but a canonical id is a record that does not exist. */
export function idParam(req: Request, name = 'id'): number {
  const id = parseId(req.params[name]);
  if (id === null) throw new NotFoundError();
  return id;
}

/**
 * An id in the query string that names the record a page is about (`?customer_id=`): absent or
 * empty is undefined; anything else that is not an id is a record that does not exist (404).
 */
export function queryId(query: unknown, name: string): number | undefined {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  if (value === undefined || value === '') return undefined;
  const id = parseId(value);
  if (id === null) throw new NotFoundError();
  return id;
}

/** A form field naming a record, required: empty is "required", anything but an id is "choose from the list". */
export const idField = z
  .string({ message: 'validation.required' })
  .min(1, 'validation.required')
  .refine((v) => parseId(v) !== null, 'validation.choice')
  .transform((v) => parseId(v) as number);

/** The id picked from a <select>: empty means "none" (NULL). */
export const optionalId = z
  .string({ message: 'validation.choice' })
  .optional()
  .refine((v) => !v || parseId(v) !== null, 'validation.choice')
  .transform((v) => (v ? (parseId(v) as number) : null));

/** A list filter by id from the query string: anything but an id means "no filter". */
export const idFilter = z
  .unknown()
  .transform((v) => parseId(v) ?? undefined)
  .optional();

/** A multi-select posts nothing, one value, or several; each must be an id. */
export const idList = (max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(idField).max(max),
  );
