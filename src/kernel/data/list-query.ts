import type { Knex } from 'knex';
import { z } from 'zod';
import { countUpTo } from '../../db/sql.js';
import { fromLocalInput } from '../../i18n/format.js';
import { isCalendarDate } from '../../shared/dates.js';
import { parseId } from '../../shared/ids.js';
import { optionalFilter } from '../../shared/fields.js';
import { COUNT_CAP, impliedTotal, pageOf, parsePage, SEARCH_COUNT_CAP, type Page, type PageRequest } from '../../shared/pagination.js';
import type { AnyEntity, Row } from '../entity/define-entity.js';
import type { FilterSpec, GridSpec } from '../web/grid-spec.js';
import { applySearch, repositoryOf, scopedQuery, type ReadCtx } from './repository.js';
import { resolveScope } from './scope.js';

// The generic list read: scoped, searched, filtered, sorted by a whitelisted column, one page plus
// one row to know whether a next exists, and a total counted no further than its cap.

export type ListQuery = {
  q?: string;
  sort: string;
  dir: 'asc' | 'desc';
  filters: Record<string, string>;
  deleted: boolean;
  page: PageRequest;
};

const filterValue = z.string().trim().max(20).optional().catch(undefined);

function filterParams(name: string, spec: FilterSpec): string[] {
  return spec.kind === 'dayRange' ? [`${name}_from`, `${name}_to`] : [name];
}

/** The query string read against the grid's whitelist; anything else is ignored, never an error. */
export function parseListQuery(grid: GridSpec, query: Record<string, unknown>, canSeeDeleted: boolean): ListQuery {
  const filters: Record<string, string> = {};
  for (const [name, spec] of Object.entries(grid.filters ?? {})) {
    for (const param of filterParams(name, spec)) {
      const value = filterValue.parse(query[param]);
      const valid =
        value &&
        (spec.kind === 'enum'
          ? spec.values.includes(value)
          : spec.kind === 'dayRange'
            ? isCalendarDate(value)
            : spec.kind === 'owner' || spec.kind === 'ref'
              ? parseId(value) !== null
              : spec.kind === 'boolean'
                ? value === 'yes' || value === 'no'
                : spec.kind === 'conditions'
                  ? Object.hasOwn(spec.conditions, value)
                  : spec.kind === 'dict' || value === '1');
      if (valid) filters[param] = value;
      else if (spec.kind === 'enum' && spec.default) filters[param] = spec.default;
    }
  }
  return {
    q: optionalFilter.parse(query.q),
    sort: typeof query.sort === 'string' && query.sort in grid.sorts ? query.sort : grid.defaultSort,
    dir: query.dir === 'asc' || query.dir === 'desc' ? query.dir : grid.defaultDir,
    filters,
    deleted: canSeeDeleted && query.deleted === '1',
    page: parsePage(query),
  };
}

/** The ids each ref filter stands for: the chosen one, widened where the filter says. */
async function refIds(db: Knex, grid: GridSpec, lq: ListQuery): Promise<Record<string, number[]>> {
  const ids: Record<string, number[]> = {};
  for (const [name, spec] of Object.entries(grid.filters ?? {})) {
    const id = parseId(lq.filters[name]);
    if (spec.kind === 'ref' && id !== null) ids[name] = spec.within ? await spec.within(db, id) : [id];
  }
  return ids;
}

function applyFilters(query: Knex.QueryBuilder, grid: GridSpec, lq: ListQuery, c: ReadCtx, refs: Record<string, number[]>): void {
  for (const [name, spec] of Object.entries(grid.filters ?? {})) {
    if (spec.kind === 'boolean' && lq.filters[name]) query.where(spec.column, lq.filters[name] === 'yes');
    if (spec.kind === 'ref' && refs[name]) query.whereIn(spec.column, refs[name]);
    if ((spec.kind === 'enum' || spec.kind === 'dict') && lq.filters[name]) query.where(spec.column, lq.filters[name]);
    if (spec.kind === 'owner' && lq.filters[name]) query.where(spec.column, Number(lq.filters[name]));
    if (spec.kind === 'conditions' && lq.filters[name]) spec.conditions[lq.filters[name]](query);
    if (spec.kind === 'mine' && lq.filters[name]) query.where(spec.column, c.actor.id);
    if (spec.kind === 'dayRange') {
      const bound = (day: string, next: boolean) => {
        if (!spec.dateTime) return day;
        const d = new Date(`${day}T00:00:00Z`);
        if (next) d.setUTCDate(d.getUTCDate() + 1);
        return fromLocalInput(`${d.toISOString().slice(0, 10)}T00:00`, c.actor.timeZone);
      };
      const from = lq.filters[`${name}_from`];
      const to = lq.filters[`${name}_to`];
      if (from) query.where(spec.column, '>=', bound(from, false));
      if (to) query.where(spec.column, spec.dateTime ? '<' : '<=', bound(to, true));
    }
  }
}

export async function listRecords(c: ReadCtx, e: AnyEntity, lq: ListQuery): Promise<Page<Row>> {
  const grid = e.list!;
  const scope = await resolveScope(c.db, c.actor);
  if (grid.plan) return grid.plan(c, lq, scope);
  const refs = await refIds(c.db, grid, lq);
  const base = () => {
    const query = scopedQuery(c.db, e, scope, lq.deleted ? 'only' : 'exclude');
    applySearch(query, e, lq.q);
    applyFilters(query, grid, lq, c, refs);
    return query;
  };
  const extra = grid.columns.flatMap((col) => (typeof col === 'object' && col.select ? [`${col.select} as ${col.key}`] : []));
  const fetched: Row[] = await base()
    .select(`${e.table}.*`, ...extra)
    .orderBy([
      { column: grid.sorts[lq.sort], order: lq.dir },
      { column: `${e.table}.id`, order: lq.dir },
    ])
    .limit(lq.page.perPage + 1)
    .offset(lq.page.offset);
  const narrowed = !!lq.q || Object.keys(lq.filters).length > 0;
  const cap = narrowed ? SEARCH_COUNT_CAP : COUNT_CAP;
  const counted = impliedTotal(lq.page, fetched.length, cap) ?? (await countUpTo(c.db, base(), cap + 1));
  const rows = await repositoryOf(e).withLinks(c.db, fetched.slice(0, lq.page.perPage));
  return pageOf(rows, lq.page, counted, fetched.length > lq.page.perPage, cap);
}
