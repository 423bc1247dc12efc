import type { Knex } from 'knex';
import { loadActor } from '../src/auth/load-actor.js';
import type { Actor } from '../src/authz/actor.js';
import { applyOwnerScope, ownerScope } from '../src/authz/data-scope.js';

export type Role = 'rep' | 'manager' | 'admin';
export type PageName = 'list' | 'list page 500' | 'search name' | 'search phone' | 'customer';
export type BenchPage = { role: Role; name: PageName; path: string };

export const PAGE_NAMES: PageName[] = ['list', 'list page 500', 'search name', 'search phone', 'customer'];

/**
 * The pages a role is measured on. Searches use a name prefix and a phone prefix of a live customer
 * in the role's own scope (a Chinese individual from the middle of the table), so they find rows;
 * the customer page opens that same customer.
 */
export async function pagesFor(db: Knex, role: Role, actor: Actor, customers: number): Promise<BenchPage[]> {
  const scope = await ownerScope(db, actor);
  const candidates: Array<{ id: number; name: string; phone: string }> = await applyOwnerScope(db('customers'), scope, 'owner_id')
    .whereNull('deleted_at')
    .where('kind', 'individual')
    .where('id', '>=', Math.floor(customers / 2))
    .orderBy('id')
    .limit(50)
    .select('id', 'name', 'phone');
  const sample = candidates.find((c) => !/^[\x20-\x7e]/.test(c.name)) ?? candidates[0];
  if (!sample) throw new Error(`No live customer in ${actor.username}'s scope to search for`);
  const namePrefix = [...sample.name].slice(0, 2).join('');
  const phonePrefix = sample.phone.slice(0, 8);
  const pages: Array<[PageName, string]> = [
    ['list', '/customers'],
    ['list page 500', '/customers?page=500'],
    ['search name', `/customers?q=${encodeURIComponent(namePrefix)}`],
    ['search phone', `/customers?q=${encodeURIComponent(phonePrefix)}`],
    ['customer', `/customers/${sample.id}`],
  ];
  return pages.map(([name, path]) => ({ role, name, path }));
}

export async function actorByUsername(db: Knex, username: string): Promise<Actor> {
  const user = await db('users').where('username', username).first('id');
  const actor = user && (await loadActor(db, user.id));
  if (!actor) throw new Error(`No active user ${username}`);
  return actor;
}
