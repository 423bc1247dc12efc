import type { AnyEntity, Row } from '../entity/define-entity.js';

// A form shows strings: what the record holds (as its inputs want them) or what the user typed,
// kept exactly as typed when the form comes back with a 422 or a 409.

export type FormValues = Record<string, string>;

export function formValuesOf(e: AnyEntity, row: Row, timeZone: string, fields: readonly string[] = e.formFields): FormValues {
  const values: FormValues = { version: String(row.version) };
  for (const key of fields) values[key] = e.fields[key].toForm(row[key], { timeZone });
  return values;
}

/** A multi-select posts several values; they are kept comma-joined, as toForm writes them. */
export function typedFormValues(body: unknown, fields: readonly string[]): FormValues {
  const source = (body ?? {}) as Record<string, unknown>;
  const values: FormValues = {};
  for (const key of [...fields, 'version']) {
    const value = source[key];
    values[key] = typeof value === 'string' ? value : Array.isArray(value) ? value.filter((v) => typeof v === 'string').join(',') : '';
  }
  return values;
}

/** The fields whose saved value differs from what the user typed: the only ones a 409 notice lists. */
export function differingFields(e: AnyEntity, saved: FormValues, typed: FormValues): string[] {
  return e.formFields.filter((f) => (saved[f] ?? '') !== (typed[f] ?? ''));
}
