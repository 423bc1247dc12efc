import { DICTIONARY_TYPES, type DictionaryType } from '../dictionaries/dictionary.repository.js';
import type { DictionaryEntry } from './dictionaries.repository.js';
import { typedValues } from '../../shared/request.js';

export type FormValues = Record<string, string>;

const FORM_FIELDS = ['type', 'code', 'label_zh', 'label_en', 'sort', 'is_active', 'version'] as const;

/** A stored value as the strings the edit form shows, with the version the form carries. */
export function valuesOfRecord(value: DictionaryEntry): FormValues {
  return {
    type: value.type,
    code: value.code,
    label_zh: value.label_zh,
    label_en: value.label_en,
    sort: String(value.sort),
    is_active: value.is_active ? '1' : '',
    version: String(value.version),
  };
}

/** What the admin typed, kept as typed for showing the form again. */
export function valuesOfBody(body: unknown): FormValues {
  return typedValues(body, FORM_FIELDS);
}

/** A blank new value of a type (the list's current tab), active by default. */
export function newValues(type: unknown): FormValues {
  const known = (DICTIONARY_TYPES as readonly unknown[]).includes(type) ? (type as DictionaryType) : DICTIONARY_TYPES[0];
  return { ...valuesOfBody({}), type: known, is_active: '1' };
}

export function listUrl(type: string): string {
  return `/admin/dictionaries?type=${encodeURIComponent(type)}`;
}
