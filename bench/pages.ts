import type { Knex } from 'knex';
import { loadActor } from '../src/auth/load-actor.js';
import type { Actor } from '../src/authz/actor.js';
import { applyOwnerScope, ownerScope } from '../src/authz/data-scope.js';
import { hasOpportunity } from './opportunity-rows.js';

export type Role = 'rep' | 'manager' | 'admin';
export type PageName = 'list' | 'list page 500' | 'search name' | 'search surname' | 'search phone' | 'customer' | 'my day' | 'opportunities' | 'board';

/**
 * A page and how to tell it shows what it is meant to: `marker` must be in its HTML, and `rows`
 * counts the records it lists (a search that finds nothing measures nothing, so `needsRows`).
 * `feature` names the issue whose part serves the page: a page of a feature still being built is
 * reported as skipped rather than failing the run.
 */
export type BenchPage = { role: Role; name: PageName; path: string; marker: string; rows: RegExp; needsRows: boolean; feature?: string };

type PageSpec = Omit<BenchPage, 'role'>;

const customerLinks = /<a href="\/customers\/\d+">/g;

/**
 * The pages a role is measured on. Searches use a name prefix (two characters, and the first alone)
 * and a phone prefix of a live customer in the role's own scope (a Chinese individual from the
 * middle of the table that has been contacted and has an opportunity, so its timeline shows
 * follow-ups and stage changes), so they find rows; the customer page opens that same customer.
 */
export async function pagesFor(db: Knex, role: Role, actor: Actor, customers: number): Promise<BenchPage[]> {
  const scope = await ownerScope(db, actor);
  const candidates: Array<{ id: number; name: string; phone: string }> = await applyOwnerScope(db('customers'), scope, 'owner_id')
    .whereNull('deleted_at')
    .whereNotNull('last_contact_at')
    .where('kind', 'individual')
    .where('id', '>=', Math.floor(customers / 2))
    .orderBy('id')
    .limit(200)
    .select('id', 'name', 'phone');
  const chinese = candidates.filter((c) => !/^[\x20-\x7e]/.test(c.name));
  // The fill gives customer n (id n + 1) an opportunity when n % 10 < 3 (bench/opportunity-rows.ts).
  const sample = chinese.find((c) => hasOpportunity(c.id - 1)) ?? chinese[0] ?? candidates[0];
  if (!sample) throw new Error(`No live customer in ${actor.username}'s scope to search for`);
  const namePrefix = [...sample.name].slice(0, 2).join('');
  const phonePrefix = sample.phone.slice(0, 8);
  const list = { marker: 'data-test="customers-table"', rows: customerLinks };
  const pages: PageSpec[] = [
    { name: 'list', path: '/customers', ...list, needsRows: false },
    { name: 'list page 500', path: '/customers?page=500', ...list, needsRows: false },
    { name: 'search name', path: `/customers?q=${encodeURIComponent(namePrefix)}`, ...list, needsRows: true },
    // A surname alone, as a Chinese user often types it: thousands of matches company-wide.
    { name: 'search surname', path: `/customers?q=${encodeURIComponent([...sample.name][0])}`, ...list, needsRows: true },
    { name: 'search phone', path: `/customers?q=${encodeURIComponent(phonePrefix)}`, ...list, needsRows: true },
    // The customer with its contacts and its timeline of follow-ups, stage changes and contract events.
    { name: 'customer', path: `/customers/${sample.id}`, marker: 'data-test="customer-name"', rows: /data-entry="/g, needsRows: false },
    // My day: a rep's own; the manager's and the admin's for their team.
    { name: 'my day', path: role === 'rep' ? '/' : '/?view=team', marker: 'data-test="myday-due"', rows: customerLinks, needsRows: false, feature: 'My day (issue 3)' },
    {
      name: 'opportunities', path: '/opportunities', marker: 'data-test="opportunity-table"', rows: /data-test="opportunity-\d+"/g,
      needsRows: true, feature: 'opportunities (issue 3)',
    },
    {
      name: 'board', path: '/opportunities/board', marker: 'data-test="board"', rows: /data-test="card-\d+"/g,
      needsRows: true, feature: 'the pipeline board (issue 3)',
    },
  ];
  return pages.map((page) => ({ role, ...page }));
}

export async function actorByUsername(db: Knex, username: string): Promise<Actor> {
  const user = await db('users').where('username', username).first('id');
  const actor = user && (await loadActor(db, user.id));
  if (!actor) throw new Error(`No active user ${username}`);
  return actor;
}
