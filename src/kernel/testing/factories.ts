import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import type { AnyEntity } from '../entity/define-entity.js';
import type { Field } from '../entity/fields.js';
import { write } from '../data/write.js';

// Records for tests, made through the write path (scope, rules, hooks, audit) from each field's
// kind, so a test names only what it is about. A reference (the parent) must be given.

let seq = 0;

async function sample(db: Knex, key: string, f: Field, actor: Actor): Promise<string | string[]> {
  const n = ++seq;
  switch (f.kind) {
    case 'phone': return `1390${String(n).padStart(7, '0')}`;
    case 'email': return `${key}${n}@example.cn`;
    case 'money': return '100.00';
    case 'integer': return '1';
    case 'date': return '2026-06-15';
    case 'dateTime': return '2026-06-15T10:00';
    case 'boolean': return '';
    case 'enum': return f.enumValues![0];
    case 'user': return String(actor.id);
    case 'users': return [];
    case 'dict': return (await db('dictionaries').where({ type: f.dictType, is_active: true }).orderBy('sort').first('code'))?.code ?? '';
    case 'ref': throw new Error(`factory: give ${key}`);
    default: return `${key} ${n}`;
  }
}

/** Creates one record of `e` as `actor`: the given form values, the rest sampled; returns its id. */
export async function createRecord(db: Knex, e: AnyEntity, actor: Actor, given: Record<string, string | string[]> = {}): Promise<number> {
  const form: Record<string, string | string[]> = { ...given };
  for (const [key, f] of Object.entries(e.fields)) {
    if (key in form || (!f.editable && f.kind !== 'ref')) continue;
    form[key] = await sample(db, key, f, actor);
  }
  const keys = Object.keys(form).filter((k) => k in e.fields);
  const parsed = e.inputFor(keys).parse(form);
  return (await write(db, e, { kind: 'create', values: parsed }, actor, { ip: null })).id;
}
