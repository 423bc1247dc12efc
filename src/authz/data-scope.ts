import type { Knex } from 'knex';
import type { Actor } from './actor.js';

// The one place that decides whose records an actor may see. Repositories call ownerScope() and
// apply it to every query (lists, counts, searches, by-id lookups), so no call site can forget it.

export type OwnerScope = { kind: 'all' } | { kind: 'owners'; ownerIds: number[] };

/** Ids of a department and all departments below it. */
export async function departmentTreeIds(db: Knex, rootId: number): Promise<number[]> {
  const rows: Array<{ id: number; parent_id: number | null }> = await db('departments').select('id', 'parent_id');
  const children = new Map<number, number[]>();
  for (const row of rows) {
    if (row.parent_id === null) continue;
    children.set(row.parent_id, [...(children.get(row.parent_id) ?? []), row.id]);
  }
  const result: number[] = [];
  const queue = [rootId];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (result.includes(id)) continue;
    result.push(id);
    queue.push(...(children.get(id) ?? []));
  }
  return result;
}

// The actor object lives for one request (it is loaded from the session each time), so keying on it
// computes a manager's scope once per request however many queries need it, and never longer.
const scopeOfRequest = new WeakMap<Actor, Promise<OwnerScope>>();

export function ownerScope(db: Knex, actor: Actor): Promise<OwnerScope> {
  let scope = scopeOfRequest.get(actor);
  if (!scope) {
    scope = computeOwnerScope(db, actor);
    scopeOfRequest.set(actor, scope);
    // A failed lookup is not remembered; the next query asks again.
    scope.catch(() => scopeOfRequest.delete(actor));
  }
  return scope;
}

async function computeOwnerScope(db: Knex, actor: Actor): Promise<OwnerScope> {
  if (actor.dataScope === 'all') return { kind: 'all' };
  if (actor.dataScope === 'department_tree' && actor.departmentId !== null) {
    const departments = await departmentTreeIds(db, actor.departmentId);
    const users: Array<{ id: number }> = await db('users').whereIn('department_id', departments).select('id');
    const ownerIds = users.map((u) => u.id);
    if (!ownerIds.includes(actor.id)) ownerIds.push(actor.id);
    return { kind: 'owners', ownerIds };
  }
  return { kind: 'owners', ownerIds: [actor.id] };
}

export function applyOwnerScope<T extends Knex.QueryBuilder>(query: T, scope: OwnerScope, column: string): T {
  if (scope.kind === 'all') return query;
  if (scope.ownerIds.length === 1) return query.where(column, scope.ownerIds[0]) as T;
  return query.whereIn(column, scope.ownerIds) as T;
}

export function scopeIncludesOwner(scope: OwnerScope, ownerId: number): boolean {
  return scope.kind === 'all' || scope.ownerIds.includes(ownerId);
}

/** Users an actor may hand a record to: the owners inside their scope, active ones only. */
export async function assignableUsers(
  db: Knex,
  actor: Actor,
): Promise<Array<{ id: number; display_name: string; username: string }>> {
  const scope = await ownerScope(db, actor);
  const query = db('users').where('is_active', true).select('id', 'display_name', 'username').orderBy('display_name');
  return applyOwnerScope(query, scope, 'id');
}
