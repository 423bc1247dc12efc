import type { Knex } from 'knex';

/**
 * The next document number of a kind for a year, such as QT-2026-000123, taken inside the
 * caller's transaction. The counter row is incremented before it is read, so on MySQL the row
 * lock serialises two saves and on SQLite the single writer does; the unique index on the
 * document's number column is the last guard.
 */
export async function nextDocumentNumber(trx: Knex.Transaction, prefix: string, year: number): Promise<string> {
  const name = `${prefix}-${year}`;
  const updated = await trx('number_sequences').where({ name }).increment('last_value', 1);
  if (updated === 0) {
    try {
      await trx('number_sequences').insert({ name, last_value: 1 });
    } catch {
      // Another transaction created the row first: take the next value after it.
      await trx('number_sequences').where({ name }).increment('last_value', 1);
    }
  }
  const row: { last_value: number } = await trx('number_sequences').where({ name }).first('last_value');
  return `${name}-${String(row.last_value).padStart(6, '0')}`;
}
