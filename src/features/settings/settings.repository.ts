import type { Knex } from 'knex';
import { cachedReference } from '../../db/reference-cache.js';

// Installation-wide settings (table settings, seeded by migration). Each has a default here, so
// a missing or unreadable row never breaks a page.
const DEFAULTS = { stale_customer_days: 30 } as const;
export type SettingKey = keyof typeof DEFAULTS;

export async function numberSetting(db: Knex, key: SettingKey): Promise<number> {
  const rows = await cachedReference(db, 'settings', (): PromiseLike<Array<{ key: string; value: string }>> =>
    db('settings').select('key', 'value'),
  );
  const value = Number(rows.find((r) => r.key === key)?.value);
  return Number.isInteger(value) && value > 0 ? value : DEFAULTS[key];
}
