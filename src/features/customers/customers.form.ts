import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { assignableUsers } from '../../authz/data-scope.js';
import { toLocalInput } from '../../i18n/format.js';
import { typedValues } from '../../shared/request.js';
import type { Locale } from '../../i18n/i18n.js';
import { loadDictionaries, type DictionaryType, type Option } from '../dictionaries/dictionary.repository.js';
import type { CustomerRow } from './customers.repository.js';
import { CUSTOMER_FIELDS, CUSTOMER_KINDS } from './customers.schema.js';

export type FormValues = Record<string, string>;

export const pickerTypes: Record<'industry' | 'source' | 'level' | 'status', DictionaryType> = {
  industry: 'industry',
  source: 'customer_source',
  level: 'customer_level',
  status: 'customer_status',
};

/** A stored record as the strings a form shows (dates in the user's zone). */
export function valuesOfRecord(record: CustomerRow, timeZone: string): FormValues {
  const values: FormValues = { version: String(record.version) };
  for (const field of CUSTOMER_FIELDS) {
    const value = record[field];
    values[field] = field === 'next_follow_up_at' ? toLocalInput(value as string | null, timeZone) : String(value ?? '');
  }
  return values;
}

/** What the user typed, kept as typed, for showing the form again. */
export function valuesOfBody(body: unknown): FormValues {
  return typedValues(body, [...CUSTOMER_FIELDS, 'version']);
}

export function newCustomerValues(actor: Actor): FormValues {
  const values = valuesOfBody({});
  return { ...values, kind: 'company', status: 'new', owner_id: String(actor.id) };
}

/**
 * The choices every customer form offers: active dictionary values, plus the record's own value when
 * it has since been deactivated, so saving an old record does not silently change it.
 */
export async function formOptions(db: Knex, actor: Actor, locale: Locale, current?: FormValues) {
  const pickers: Record<string, Option[]> = {};
  const dictionaries = await loadDictionaries(db, Object.values(pickerTypes), locale);
  for (const [field, type] of Object.entries(pickerTypes)) {
    const options = dictionaries.active(type);
    const kept = current?.[field];
    if (kept && !options.some((o) => o.value === kept)) options.push({ value: kept, label: dictionaries.label(type, kept) });
    pickers[field] = options;
  }
  const owners = actor.permissions.has('customers.assign')
    ? (await assignableUsers(db, actor)).map((u) => ({ value: String(u.id), label: u.display_name }))
    : [];
  return { kinds: CUSTOMER_KINDS, pickers, owners, labels: dictionaries.label };
}
