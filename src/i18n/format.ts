import { fromDbTime } from '../db/time.js';
import { fromCents, toCents } from '../shared/money.js';
import type { Locale } from './i18n.js';

type Formatters = ReturnType<typeof buildFormatters>;
const formatterCache = new Map<string, Formatters>();

// Dates are stored in UTC and shown in the user's own time zone. Building an Intl formatter costs
// more than rendering a page, so one pair is kept per locale and zone.
export function dateTimeFormatter(locale: Locale, timeZone: string): Formatters {
  const key = `${locale}|${timeZone}`;
  let formatters = formatterCache.get(key);
  if (!formatters) {
    formatters = buildFormatters(locale, timeZone);
    formatterCache.set(key, formatters);
  }
  return formatters;
}

/** Date and time to the minute, on a 24-hour clock. */
const TO_THE_MINUTE: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

function buildFormatters(locale: Locale, timeZone: string) {
  const dateTime = new Intl.DateTimeFormat(locale, { timeZone, ...TO_THE_MINUTE });
  const dateOnly = new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  // A calendar date (a DATE column: a close date, a due date) is the same day everywhere: it is
  // formatted as written, never moved through a time zone.
  const calendarDay = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
  // A board or a list shows the same few hundred dates over and over, and Intl takes microseconds
  // a date: each is formatted once (the memo is emptied should it ever grow large).
  const days = new Map<string, string>();
  return {
    day: (value: string | null | undefined) => {
      const m = value ? /^(\d{4})-(\d{2})-(\d{2})/.exec(value) : null;
      if (!m) return '';
      let shown = days.get(m[0]);
      if (shown === undefined) {
        if (days.size >= 10_000) days.clear();
        shown = calendarDay.format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
        days.set(m[0], shown);
      }
      return shown;
    },
    /** An amount as the database returns it (string or number) → "1234.50", exact. */
    money: (value: string | number | null | undefined) => fromCents(toCents(value)),
    dateTime: (value: string | Date | null | undefined) => {
      const d = fromDbTime(value);
      return d ? dateTime.format(d) : '';
    },
    date: (value: string | Date | null | undefined) => {
      const d = fromDbTime(value);
      return d ? dateOnly.format(d) : '';
    },
  };
}

const inputFormatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-11-21 09:30:00" (UTC) → "2026-11-21T17:30" in the user's zone, for datetime-local inputs. */
export function toLocalInput(value: string | null | undefined, timeZone: string): string {
  const d = fromDbTime(value);
  if (!d) return '';
  let formatter = inputFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, ...TO_THE_MINUTE });
    inputFormatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** The inverse of toLocalInput: a datetime-local value typed in the user's zone → UTC db time. */
export function fromLocalInput(value: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  // The zone's offset at that moment, found by formatting the UTC guess in the zone.
  const shown = toLocalInput(new Date(asUtc).toISOString().slice(0, 19).replace('T', ' '), timeZone);
  const s = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(shown)!;
  const offset = Date.UTC(+s[1], +s[2] - 1, +s[3], +s[4], +s[5]) - asUtc;
  return new Date(asUtc - offset).toISOString().slice(0, 19).replace('T', ' ');
}
