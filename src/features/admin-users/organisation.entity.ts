import type { Knex } from 'knex';
import { defineEntity } from '../../kernel/entity/define-entity.js';
import { text } from '../../kernel/entity/fields.js';

// What a user refers to: a role and a department. Both are small tables named in both languages;
// they have no pages of their own yet. A select offers them through the options below.

type Named = { id: number; name_zh: string; name_en: string };
type DepartmentRow = Named & { parent_id: number | null };

const nameIn = (locale: string) => (row: Named) => (locale === 'en' ? row.name_en : row.name_zh);

export async function roleOptions(db: Knex, locale: string) {
  const rows: Named[] = await db('roles').orderBy('id').select('id', 'name_zh', 'name_en');
  return rows.map((r) => ({ value: String(r.id), label: nameIn(locale)(r) }));
}

/** "Sales East / East Team 2": a department named under its parents, so that sub-teams are told apart. */
export async function departmentOptions(db: Knex, locale: string) {
  const rows: DepartmentRow[] = await db('departments').orderBy([{ column: 'sort' }, { column: 'id' }]).select('id', 'name_zh', 'name_en', 'parent_id');
  const byId = new Map(rows.map((d) => [d.id, d]));
  const name = nameIn(locale);
  const parentOf = (d: DepartmentRow) => (d.parent_id === null ? undefined : byId.get(d.parent_id));
  const pathOf = (d: DepartmentRow): string => {
    const path = [name(d)];
    const seen = new Set([d.id]);
    for (let p = parentOf(d); p && !seen.has(p.id); p = parentOf(p)) {
      path.unshift(name(p));
      seen.add(p.id);
    }
    return path.join(' / ');
  };
  return rows.map((d) => ({ value: String(d.id), label: pathOf(d) })).sort((a, b) => a.label.localeCompare(b.label, locale));
}

const named = {
  fields: { name_zh: text(100, { required: true }), name_en: text(100, { required: true }) },
  titleColumn: 'name_zh',
  titleColumnFor: (locale: string) => (locale === 'en' ? 'name_en' : 'name_zh'),
  scope: { kind: 'global' },
  softDelete: false,
  permissions: {},
} as const;

export const roles = defineEntity({ name: 'role', plural: 'roles', table: 'roles', ...named });
export const departments = defineEntity({ name: 'department', plural: 'departments', table: 'departments', ...named });
