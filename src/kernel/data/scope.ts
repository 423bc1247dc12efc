import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope, scopeIncludesOwner, type OwnerScope } from '../../authz/data-scope.js';
import type { AnyEntity } from '../entity/define-entity.js';
import { entityNamed } from '../entity/registry.js';

// The one applier of data scope. authz/data-scope.ts decides whose records an actor sees (the
// rule); this file puts that rule on a query for any entity. Only src/kernel/ and declared read
// plans import it (eslint: no-restricted-imports, "[scope-applier]").

export type ResolvedScope = {
  readonly owner: OwnerScope;
  /** Sees more owners than themself: offers "mine / team" and owner filters. */
  readonly hasTeam: boolean;
  includesOwner(id: number): boolean;
};

export async function resolveScope(db: Knex, actor: Actor): Promise<ResolvedScope> {
  const owner = await ownerScope(db, actor);
  return {
    owner,
    hasTeam: owner.kind === 'all' || owner.ownerIds.length > 1,
    includesOwner: (id) => scopeIncludesOwner(owner, id),
  };
}

/** The entity a record hangs on: the one a `through` policy borrows its scope from, or the declared parent. */
export function parentOf(e: AnyEntity): { entity: AnyEntity; field: string } | undefined {
  const field = e.scope.kind === 'through' ? e.scope.field : e.parent;
  if (!field) return undefined;
  const refEntity = e.fields[field]?.refEntity;
  if (!refEntity) throw new Error(`${e.name}: parent field ${field} is not a reference`);
  return { entity: entityNamed(refEntity), field };
}

/**
 * Narrows `query` (reading `e` as `alias`) to the records the scope sees. A `through` entity joins
 * its parent under the parent's table name, requires it live, and applies the parent's own policy.
 */
export function applyScope<T extends Knex.QueryBuilder>(query: T, e: AnyEntity, scope: ResolvedScope, alias = e.table): T {
  if (e.scope.kind === 'global') return query;
  if (e.scope.kind === 'owned') return applyOwnerScope(query, scope.owner, `${alias}.${e.scope.column}`);
  const parent = parentOf(e)!;
  const p = parent.entity;
  query.join(p.table, `${p.table}.id`, `${alias}.${parent.field}`);
  if (p.softDelete) query.whereNull(`${p.table}.deleted_at`);
  return applyScope(query, p, scope, p.table);
}
