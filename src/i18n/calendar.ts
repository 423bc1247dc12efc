import { fromLocalInput, toLocalInput } from './format.js';

// "Today", "this month" and "the next 14 days" are the user's, in their own time zone: a rep in
// Shanghai at 07:00 is on a different day from the server's UTC clock.

/** The user's calendar date today, 'YYYY-MM-DD'. */
export function localToday(timeZone: string, now: Date = new Date()): string {
  return toLocalInput(now.toISOString().slice(0, 19).replace('T', ' '), timeZone).slice(0, 10);
}

/** A calendar date moved by whole days, 'YYYY-MM-DD'. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** First and last calendar day of the month holding `date`. */
export function monthOf(date: string): { first: string; last: string } {
  const first = `${date.slice(0, 7)}-01`;
  const next = new Date(`${first}T00:00:00Z`);
  next.setUTCMonth(next.getUTCMonth() + 1);
  return { first, last: addDays(next.toISOString().slice(0, 10), -1) };
}

/** The UTC db time at which a calendar date begins in the user's zone. */
export function startOfLocalDay(date: string, timeZone: string): string {
  return fromLocalInput(`${date}T00:00`, timeZone)!;
}
