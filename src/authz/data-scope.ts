import type { Knex } from 'knex';
import { cachedReference } from '../db/reference-cache.js';
import type { Actor } from './actor.js';

// The one place that decides whose records an actor may see. Repositories call ownerScope() and
// apply it to every query (lists, counts, searches, by-id lookups), so no call site can forget it.

export type OwnerScope = { kind: 'all' } | { kind: 'owners'; ownerIds: number[] };

type OrganisationUser = { id: number; department_id: number | null; display_name: string; username: string; is_active: number | boolean };
type Organisation = { departments: Array<{ id: number; parent_id: number | null }>; users: OrganisationUser[] };

/** Departments and users: a few hundred rows read once per REFERENCE_TTL_MS rather than per request. */
function organisation(db: Knex): Promise<Organisation> {
  return cachedReference(db, 'organisation', async () => ({
    departments: await db('departments').select('id', 'parent_id'),
    users: await db('users').orderBy('display_name').select('id', 'department_id', 'display_name', 'username', 'is_active'),
  }));
}

/** Ids of a department and all departments below it. */
function departmentTree(departments: Organisation['departments'], rootId: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const row of departments) {
    if (row.parent_id === null) continue;
    children.set(row.parent_id, [...(children.get(row.parent_id) ?? []), row.id]);
  }
  const result = new Set<number>();
  const queue = [rootId];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (result.has(id)) continue;
    result.add(id);
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
    const { departments, users } = await organisation(db);
    const tree = departmentTree(departments, actor.departmentId);
    const ownerIds = users.filter((u) => u.department_id !== null && tree.has(u.department_id)).map((u) => u.id);
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
  const [scope, { users }] = await Promise.all([ownerScope(db, actor), organisation(db)]);
  return users
    .filter((u) => Boolean(u.is_active) && scopeIncludesOwner(scope, u.id))
    .map(({ id, display_name, username }) => ({ id, display_name, username }));
}
