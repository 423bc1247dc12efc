import type { Knex } from 'knex';
import { localToday } from '../i18n/calendar.js';

// Document numbers (QT-2026-000123, CT-2026-000045) come from one counter row per prefix and year.
// Taking a number is two steps, because of how InnoDB locks a row that does not exist yet: two
// transactions that both find this year's row missing and both insert it deadlock, and the loser's
// whole transaction is rolled back. So the row is created first, in a statement of its own outside
// any transaction (prepareDocumentNumbers), and the transaction that creates the document only
// increments it (nextDocumentNumber): the row lock then queues concurrent saves one after another,
// and a save that rolls back gives its number back.

/** Makes sure the counter of `prefix` for the user's current year exists; returns that year. */
export async function prepareDocumentNumbers(db: Knex, prefix: string, timeZone: string): Promise<number> {
  const year = Number(localToday(timeZone).slice(0, 4));
  await db('number_sequences').insert({ name: `${prefix}-${year}`, last_value: 0 }).onConflict('name').ignore();
  return year;
}

/** The next number, inside the transaction that creates the document; the unique index is the last guard. */
export async function nextDocumentNumber(trx: Knex.Transaction, prefix: string, year: number): Promise<string> {
  const name = `${prefix}-${year}`;
  const updated = await trx('number_sequences').where({ name }).increment('last_value', 1);
  if (updated === 0) throw new Error(`No counter ${name}: call prepareDocumentNumbers before the transaction`);
  const row: { last_value: number } = await trx('number_sequences').where({ name }).first('last_value');
  return `${name}-${String(row.last_value).padStart(6, '0')}`;
}
