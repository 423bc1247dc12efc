import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { assignableUsers } from '../../authz/data-scope.js';
import { dictionaryRows } from '../entity/lookups.js';
import type { Translate } from '../../i18n/i18n.js';
import { parseId } from '../../shared/ids.js';
import { repositoryOf } from '../data/repository.js';
import type { AnyEntity } from '../entity/define-entity.js';
import { entityNamed } from '../entity/registry.js';

export type Option = { value: string; label: string };


/**
 * The options of every select on a form: active dictionary values, users the actor may hand
 * records to, the enum's values, a reference's own options or else the referenced records they may
 * see; a value the record holds stays offered even when retired. `recordId`: the record edited, if any.
 */
export async function formChoices(db: Knex, e: AnyEntity, actor: Actor, locale: string, t: Translate, current: Record<string, string>, recordId?: number): Promise<Record<string, Option[]>> {
  const choices: Record<string, Option[]> = {};
  const needs = (kind: string) => e.formFields.some((k) => e.fields[k].kind === kind);
  const dicts = needs('dict') ? await dictionaryRows(db) : [];
  const assignable = needs('user') ? await assignableUsers(db, actor) : [];
  const everyone: Array<{ id: number; display_name: string }> = needs('users')
    ? await db('users').where('is_active', true).orderBy('display_name').select('id', 'display_name')
    : [];
  for (const key of e.formFields) {
    const f = e.fields[key];
    const keep = current[key] ?? '';
    if (f.kind === 'dict') {
      const rows = dicts.filter((d) => d.type === f.dictType && (Boolean(d.is_active) || d.code === keep));
      choices[key] = rows.map((d) => ({ value: d.code, label: locale === 'en' ? d.label_en : d.label_zh }));
    } else if (f.kind === 'user') {
      choices[key] = assignable.map((u) => ({ value: String(u.id), label: u.display_name }));
      const id = parseId(keep);
      if (id && !choices[key].some((o) => o.value === keep)) {
        const held = await db('users').where('id', id).first('display_name');
        if (held) choices[key].unshift({ value: keep, label: held.display_name });
      }
    } else if (f.kind === 'users') {
      choices[key] = everyone.map((u) => ({ value: String(u.id), label: u.display_name }));
    } else if (f.kind === 'enum') {
      choices[key] = f.enumValues!.map((v) => ({ value: v, label: t(`${f.enumLabelPrefix}.${v}`) }));
    } else if (f.kind === 'ref' && f.options) {
      choices[key] = await f.options(db, locale, recordId);
    } else if (f.kind === 'ref') {
      // The records the actor may see; with `within`, those of the record's own parent.
      const where = f.within ? { [f.within]: current[f.within] } : {};
      const picks = await repositoryOf(entityNamed(f.refEntity!)).choices({ db, actor }, undefined, 100, where);
      choices[key] = picks.map((r) => ({ value: String(r.id), label: r.title }));
    }
  }
  return choices;
}
