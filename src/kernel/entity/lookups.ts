import type { Knex } from 'knex';
import { cachedReference } from '../../db/reference-cache.js';
import type { Field } from './fields.js';
import { entityNamed } from './registry.js';

// Lists, show pages, history and 409 notices name users, dictionary values and referenced records
// by label. The ids a page shows are gathered first and read in one query per kind, after the
// page's own rows: never a join per column, never a raw id on the page.

export type Lookups = {
  user(id: number): string;
  dict(type: string, code: string): string;
  ref(entity: string, id: number): string;
};

export type LookupRequest = { users: Set<number>; dicts: Set<string>; refs: Map<string, Set<number>> };

export const noLookups = (): LookupRequest => ({ users: new Set(), dicts: new Set(), refs: new Map() });

/** Adds what showing `value` of `field` needs. */
export function want(wanted: LookupRequest, field: Field, value: unknown): void {
  if (value === null || value === undefined || value === '') return;
  if (field.kind === 'user') wanted.users.add(Number(value));
  else if (field.kind === 'users' && Array.isArray(value)) for (const id of value) wanted.users.add(Number(id));
  else if (field.kind === 'dict' && field.dictType) wanted.dicts.add(field.dictType);
  else if (field.kind === 'ref' && field.refEntity) {
    const ids = wanted.refs.get(field.refEntity) ?? new Set<number>();
    ids.add(Number(value));
    wanted.refs.set(field.refEntity, ids);
  }
}

/** Adds what showing every given field of every row needs. */
export function wantRows(wanted: LookupRequest, fields: Record<string, Field>, rows: Array<Record<string, unknown>>): LookupRequest {
  for (const row of rows) for (const [key, field] of Object.entries(fields)) want(wanted, field, row[key]);
  return wanted;
}

export type DictRow = { type: string; code: string; label_zh: string; label_en: string; is_active: number | boolean };

/** Every dictionary value, in the admins' order (cached for a few seconds; read fresh inside a write). */
export const dictionaryRows = (db: Knex): Promise<DictRow[]> =>
  cachedReference(db, 'dictionaries', (): Promise<DictRow[]> => db('dictionaries').orderBy([{ column: 'sort' }, { column: 'id' }]));

export async function resolveLookups(db: Knex, locale: string, wanted: LookupRequest): Promise<Lookups> {
  const [users, dicts, refs] = await Promise.all([
    wanted.users.size ? db('users').whereIn('id', [...wanted.users]).select('id', 'display_name') : [],
    wanted.dicts.size ? dictionaryRows(db) : [],
    Promise.all(
      [...wanted.refs].map(async ([name, ids]) => {
        const e = entityNamed(name);
        const title = e.titleColumnFor?.(locale) ?? e.titleColumn;
        const rows: Array<{ id: number; title: string }> = await db(e.table).whereIn('id', [...ids]).select('id', `${title} as title`);
        return [name, new Map(rows.map((r) => [Number(r.id), r.title]))] as const;
      }),
    ),
  ]);
  const userName = new Map(users.map((u: { id: number; display_name: string }) => [Number(u.id), u.display_name]));
  const dictLabel = new Map(dicts.map((d) => [`${d.type}:${d.code}`, locale === 'en' ? d.label_en : d.label_zh]));
  const refTitle = new Map(refs);
  return {
    user: (id) => userName.get(id) ?? `#${id}`,
    dict: (type, code) => dictLabel.get(`${type}:${code}`) ?? code,
    ref: (name, id) => refTitle.get(name)?.get(id) ?? `#${id}`,
  };
}
