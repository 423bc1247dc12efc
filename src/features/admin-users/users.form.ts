import type { Locale } from '../../i18n/i18n.js';
import type { DepartmentRow, RoleRow, UserRepository, UserRow } from './users.repository.js';
import { FORM_FIELDS } from './users.schema.js';
import { typedValues } from '../../shared/request.js';

export type FormValues = Record<string, string>;
export type Option = { value: string; label: string };

/** A stored user as the strings the edit form shows, with the version the form carries. */
export function valuesOfRecord(user: UserRow): FormValues {
  const values: FormValues = { version: String(user.version) };
  for (const field of FORM_FIELDS) values[field] = String(user[field] ?? '');
  return values;
}

/** What the admin typed, kept as typed for showing the form again (passwords excepted). */
export function valuesOfBody(body: unknown): FormValues {
  return typedValues(body, [...FORM_FIELDS, 'version']);
}

/** "Sales East / East Team 2": a department named with its parents, so sub-teams are told apart. */
function departmentOptions(rows: DepartmentRow[], locale: Locale): Option[] {
  const byId = new Map(rows.map((d) => [d.id, d]));
  const nameOf = (d: DepartmentRow) => (locale === 'en' ? d.name_en : d.name_zh);
  const pathOf = (d: DepartmentRow): string => {
    const names = [nameOf(d)];
    const seen = new Set([d.id]);
    let parent = d.parent_id === null ? undefined : byId.get(d.parent_id);
    while (parent && !seen.has(parent.id)) {
      names.unshift(nameOf(parent));
      seen.add(parent.id);
      parent = parent.parent_id === null ? undefined : byId.get(parent.parent_id);
    }
    return names.join(' / ');
  };
  return rows.map((d) => ({ value: String(d.id), label: pathOf(d) })).sort((a, b) => a.label.localeCompare(b.label, locale));
}

export function roleName(role: Pick<RoleRow, 'name_zh' | 'name_en'>, locale: Locale): string {
  return locale === 'en' ? role.name_en : role.name_zh;
}

/** The choices of the role and department pickers (and of the list's role filter). */
export async function formOptions(repo: UserRepository, locale: Locale): Promise<{ roles: Option[]; departments: Option[] }> {
  const [roles, departments] = await Promise.all([repo.roles(), repo.departments()]);
  return {
    roles: roles.map((r) => ({ value: String(r.id), label: roleName(r, locale) })),
    departments: departmentOptions(departments, locale),
  };
}
