import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { listRecords, type ListQuery } from '../../kernel/data/list-query.js';
import { resolveLookups, noLookups, wantRows } from '../../kernel/entity/lookups.js';
import { url } from '../../kernel/web/routes.js';
import { visits } from './visits.entity.js';

export type TodaysVisit = { id: number; purpose: string; planned_at: string; customer_id: number; customer: string; owner: string };

/**
 * My day's "visits today": the planned visits of the reader's day (theirs, or everyone's they see),
 * read by the visits list itself, so the card's "see all" opens exactly these rows.
 */
export async function visitsToday(db: Knex, actor: Actor, mineOnly: boolean, today: string, locale: string) {
  const filters: Record<string, string> = { status: 'planned', planned_from: today, planned_to: today, ...(mineOnly ? { mine: '1' } : {}) };
  const query: ListQuery = { sort: 'planned_at', dir: 'asc', filters, deleted: false, page: { page: 1, perPage: 10, offset: 0 } };
  const page = await listRecords({ db, actor }, visits, query);
  const lookups = await resolveLookups(db, locale, wantRows(noLookups(), visits.fields, page.rows));
  const rows: TodaysVisit[] = page.rows.map((r) => ({
    id: r.id,
    purpose: String(r.purpose),
    planned_at: String(r.planned_at),
    customer_id: Number(r.customer_id),
    customer: lookups.ref('customer', Number(r.customer_id)),
    owner: lookups.user(Number(r.owner_id)),
  }));
  return { rows, count: page.total, capped: page.totalCapped, link: url('visits.index', {}, { ...filters, sort: 'planned_at', dir: 'asc' }) };
}
