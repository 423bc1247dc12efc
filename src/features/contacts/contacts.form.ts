import { typedValues } from '../../shared/request.js';
import type { ContactRow } from './contacts.repository.js';
import { CONTACT_FIELDS } from './contacts.schema.js';

export type FormValues = Record<string, string>;

/** A stored contact as the strings its form shows (the checkbox as '1' or ''). */
export function valuesOfRecord(record: ContactRow): FormValues {
  const values: FormValues = { version: String(record.version) };
  for (const field of CONTACT_FIELDS) {
    const value = record[field];
    values[field] = field === 'is_key_decision_maker' ? (value ? '1' : '') : String(value ?? '');
  }
  return values;
}

/** What the user typed, kept as typed, for showing the form again. */
export function valuesOfBody(body: unknown): FormValues {
  return typedValues(body, [...CONTACT_FIELDS, 'version']);
}
