import type { Knex } from 'knex';
import type { DictionaryType } from '../dictionaries/dictionary.repository.js';

/**
 * Where each dictionary type's codes are stored. A code found in any of these columns is "in use":
 * it may be deactivated but never deleted, so old records keep a readable label. A feature that
 * stores a new dictionary type adds its column here.
 */
export const DICTIONARY_USAGE: Record<DictionaryType, ReadonlyArray<{ table: string; column: string }>> = {
  customer_source: [{ table: 'customers', column: 'source' }],
  industry: [{ table: 'customers', column: 'industry' }],
  customer_level: [{ table: 'customers', column: 'level' }],
  customer_status: [{ table: 'customers', column: 'status' }],
  followup_type: [{ table: 'followups', column: 'type' }],
  lost_reason: [{ table: 'opportunities', column: 'lost_reason' }],
  payment_method: [{ table: 'payment_records', column: 'method' }],
};

/** Does any record, deleted ones included (they can be restored), store this code? */
export async function isInUse(db: Knex, type: DictionaryType, code: string): Promise<boolean> {
  for (const { table, column } of DICTIONARY_USAGE[type]) {
    if (await db(table).where(column, code).first(db.raw('1 as found'))) return true;
  }
  return false;
}
