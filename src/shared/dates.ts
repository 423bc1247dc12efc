import { z } from 'zod';

// Every date and date-time a form sends is read here. Besides being a real day (2026-02-31 is not),
// its year must lie in the span a CRM's dates live in: year 0100 failed in MariaDB's DATE column and
// 9999-12-31T23:59 in Shanghai is already year 10000 in UTC, both a 500 before this check.
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2100;

type Problem = 'format' | 'range' | null;

function dayProblem(year: number, month: number, day: number): Problem {
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return 'format';
  return year < FIRST_YEAR || year > LAST_YEAR ? 'range' : null;
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** 'YYYY-MM-DD' (what a DATE column and an <input type="date"> hold): what is wrong with it, if anything. */
function calendarDateProblem(value: string): Problem {
  const m = CALENDAR_DATE.exec(value);
  return m ? dayProblem(Number(m[1]), Number(m[2]), Number(m[3])) : 'format';
}

/** A moment as an <input type="datetime-local"> sends it ("2026-11-21T17:30"). */
function localDateTimeProblem(value: string): Problem {
  const m = LOCAL_DATE_TIME.exec(value);
  if (!m) return 'format';
  const [hour, minute, second = 0] = [Number(m[4]), Number(m[5]), m[6] === undefined ? 0 : Number(m[6])];
  if (hour > 23 || minute > 59 || second > 59) return 'format';
  return dayProblem(Number(m[1]), Number(m[2]), Number(m[3]));
}

export const isCalendarDate = (value: string): boolean => calendarDateProblem(value) === null;
export const isLocalDateTime = (value: string): boolean => localDateTimeProblem(value) === null;

/** Reports a problem as the form's own message for a malformed value, or the shared one for a year out of range. */
function report(problem: Problem, invalidKey: string, ctx: z.RefinementCtx): void {
  if (problem === 'format') ctx.addIssue({ code: 'custom', message: invalidKey });
  if (problem === 'range') ctx.addIssue({ code: 'custom', message: 'validation.date_range', params: { min: FIRST_YEAR, max: LAST_YEAR } });
}

/** An optional date field: empty is NULL. */
export const optionalDate = (invalidKey = 'validation.date') =>
  z
    .string()
    .trim()
    .optional()
    .superRefine((v, ctx) => {
      if (v) report(calendarDateProblem(v), invalidKey, ctx);
    })
    .transform((v) => (v ? v : null));

/** A required date field. */
export const requiredDate = (invalidKey = 'validation.date') =>
  z
    .string({ message: 'validation.required' })
    .trim()
    .min(1, 'validation.required')
    .superRefine((v, ctx) => report(calendarDateProblem(v), invalidKey, ctx));

/** An optional datetime-local field, in the user's time zone; the service converts it to UTC. */
export const localDateTime = z
  .string()
  .trim()
  .optional()
  .superRefine((v, ctx) => {
    if (v) report(localDateTimeProblem(v), 'validation.datetime', ctx);
  });
