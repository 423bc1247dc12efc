import type { Knex } from 'knex';
import { cachedReference } from '../../db/reference-cache.js';
import type { Locale } from '../../i18n/i18n.js';

export const DICTIONARY_TYPES = [
  'customer_source',
  'industry',
  'customer_level',
  'customer_status',
  'followup_type',
  'lost_reason',
  'payment_method',
] as const;
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

export type Option = { value: string; label: string };
export type Labels = (type: DictionaryType, code: string | null | undefined) => string;

export function labelOf(value: Pick<DictionaryValue, 'label_zh' | 'label_en'>, locale: Locale): string {
  return locale === 'en' ? value.label_en : value.label_zh;
}

/** The dictionaries of some types as one page needs them (all types are read in one cached query). */
export type Dictionaries = {
  /** Values a picker offers: active ones only, in the admin's order. */
  active(type: DictionaryType): Option[];
  /** Labels for stored codes, deactivated values included, so an old record stays readable. */
  label: Labels;
  /** Is this code selectable? A record's current code is accepted even if since deactivated. */
  isSelectable(type: DictionaryType, code: string, currentCode?: string | null): boolean;
};

export async function loadDictionaries(
  db: Knex,
  types: readonly DictionaryType[],
  locale: Locale,
): Promise<Dictionaries> {
  const all = await cachedReference(db, 'dictionaries', (): Promise<DictionaryValue[]> =>
    db('dictionaries').orderBy([{ column: 'sort' }, { column: 'id' }]),
  );
  const rows = all.filter((r) => types.includes(r.type));
  const byKey = new Map(rows.map((r) => [`${r.type}:${r.code}`, r]));
  return {
    active: (type) =>
      rows.filter((r) => r.type === type && Boolean(r.is_active)).map((r) => ({ value: r.code, label: labelOf(r, locale) })),
    // Falls back to the code itself for a value that was never in the dictionary.
    label: (type, code) => {
      if (!code) return '';
      const row = byKey.get(`${type}:${code}`);
      return row ? labelOf(row, locale) : code;
    },
    isSelectable: (type, code, currentCode) =>
      (!!currentCode && code === currentCode) || Boolean(byKey.get(`${type}:${code}`)?.is_active),
  };
}
