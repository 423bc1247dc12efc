// Dates travel as UTC strings "YYYY-MM-DD HH:MM:SS" in both dialects (see db/knex.ts), so they
// compare and sort as text and never pass through a server's local time zone.
export function toDbTime(date: Date = new Date()): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function fromDbTime(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value;
  return new Date(value.replace(' ', 'T') + (value.length > 10 ? 'Z' : 'T00:00:00Z'));
}
