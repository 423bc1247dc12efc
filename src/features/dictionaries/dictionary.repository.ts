import type { Knex } from 'knex';
import type { Locale } from '../../i18n/i18n.js';

export const DICTIONARY_TYPES = ['customer_source', 'industry', 'customer_level', 'customer_status', 'followup_type'] as const;
export type DictionaryType = (typeof DICTIONARY_TYPES)[number];

export type DictionaryValue = {
  id: number;
  type: DictionaryType;
  code: string;
  label_zh: string;
  label_en: string;
  sort: number;
  is_active: number | boolean;
};

export function labelOf(value: Pick<DictionaryValue, 'label_zh' | 'label_en'>, locale: Locale): string {
  return locale === 'en' ? value.label_en : value.label_zh;
}

/** Values a picker offers: active ones only, in the admin's order. */
export async function activeValues(db: Knex, type: DictionaryType): Promise<DictionaryValue[]> {
  return db('dictionaries').where({ type, is_active: true }).orderBy([{ column: 'sort' }, { column: 'id' }]);
}

export type Labels = (type: DictionaryType, code: string | null | undefined) => string;

/**
 * Labels for showing stored codes, deactivated values included, so an old record stays readable.
 * Falls back to the code itself for a value that was never in the dictionary.
 */
export async function labelsFor(db: Knex, types: readonly DictionaryType[], locale: Locale): Promise<Labels> {
  const rows: DictionaryValue[] = await db('dictionaries').whereIn('type', types);
  const map = new Map(rows.map((r) => [`${r.type}:${r.code}`, labelOf(r, locale)]));
  return (type, code) => (code ? (map.get(`${type}:${code}`) ?? code) : '');
}

/** Is this code a selectable value of the type? A record's current code is accepted even if since deactivated. */
export async function isSelectable(db: Knex, type: DictionaryType, code: string, currentCode?: string | null): Promise<boolean> {
  if (currentCode && code === currentCode) return true;
  const row = await db('dictionaries').where({ type, code, is_active: true }).first('id');
  return !!row;
}
