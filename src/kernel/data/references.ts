import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { assignableUsers } from '../../authz/data-scope.js';
import { dictionaryRows } from '../entity/lookups.js';
import type { FieldErrors } from '../../shared/errors.js';
import type { AnyEntity, Row } from '../entity/define-entity.js';
import { entityNamed } from '../entity/registry.js';
import { repositoryOf } from './repository.js';
import { parentOf } from './scope.js';

// A value naming another record must name one the actor may pick: a referenced record in their
// scope, a user they may hand records to, an active dictionary value. A value the record already
// holds stays acceptable (a user since deactivated, a dictionary value since retired).

const choice = { key: 'validation.choice' };
const same = (a: unknown, b: unknown) => String(a ?? '') === String(b ?? '');

export async function checkReferences(trx: Knex.Transaction, e: AnyEntity, values: Record<string, unknown>, before: Row | null, actor: Actor): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const parentField = parentOf(e)?.field;
  for (const [key, f] of Object.entries(e.fields)) {
    const value = values[key];
    if (!(key in values) || key === parentField || value === null || value === undefined) continue;
    if (f.kind === 'users') {
      const current = new Set(((before?.[key] as number[] | undefined) ?? []).map(Number));
      const added = (value as number[]).filter((id) => !current.has(id));
      if (added.length === 0) continue;
      const active = await trx('users').whereIn('id', added).where('is_active', true).count({ n: '*' }).first();
      if (Number(active?.n) !== new Set(added).size) errors[key] = choice;
      continue;
    }
    if (before && same(before[key], value)) continue;
    const within = f.within ? { [f.within]: values[f.within] ?? before?.[f.within] } : {};
    if (f.kind === 'ref' && !(await repositoryOf(entityNamed(f.refEntity!)).exists({ db: trx, actor }, Number(value), within))) errors[key] = choice;
    if (f.kind === 'user' && !(await assignableUsers(trx, actor)).some((u) => u.id === Number(value))) errors[key] = choice;
    if (f.kind === 'dict' && !(await activeCodes(trx, f.dictType!)).has(String(value))) errors[key] = choice;
  }
  return errors;
}

async function activeCodes(db: Knex, type: string): Promise<Set<string>> {
  const rows = await dictionaryRows(db);
  return new Set(rows.filter((r) => r.type === type && Boolean(r.is_active)).map((r) => r.code));
}
