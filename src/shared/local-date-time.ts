import { z } from 'zod';

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/;

/**
 * A real moment as an <input type="datetime-local"> sends it ("2026-11-21T17:30"): the pattern
 * alone let "2026-02-31T10:00" through, which the conversion to UTC silently turned into 3 March.
 */
export function isLocalDateTime(value: string): boolean {
  const m = LOCAL_DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60;
}

/** An optional datetime-local field, in the user's time zone; the service converts it to UTC. */
export const localDateTime = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || isLocalDateTime(v), 'validation.datetime');
