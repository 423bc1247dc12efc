import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { likePattern } from '../../db/sql.js';
import type { AnyEntity, Row } from '../entity/define-entity.js';
import { applyScope, resolveScope, type ResolvedScope } from './scope.js';

// The scoped repository: the only reads of an entity's records, each with the actor's scope on it.
// Inside a write pass the transaction as `db` (SQLite has one connection, and it is the write's).

export type ReadCtx = { db: Knex; actor: Actor };
export type Deleted = 'exclude' | 'include' | 'only';
export type Choice = { id: number; title: string };

/** `table` read as itself, scoped, live rows only unless asked otherwise. */
export function scopedQuery(db: Knex, e: AnyEntity, scope: ResolvedScope, deleted: Deleted = 'exclude'): Knex.QueryBuilder {
  const query = applyScope(db(e.table), e, scope);
  if (e.softDelete && deleted === 'exclude') query.whereNull(`${e.table}.deleted_at`);
  if (e.softDelete && deleted === 'only') query.whereNotNull(`${e.table}.deleted_at`);
  return query;
}

/** Applies the entity's search to a query on its table. */
export function applySearch(query: Knex.QueryBuilder, e: AnyEntity, q: string | undefined): void {
  if (!q || !e.search) return;
  const { column, match } = e.search(q);
  const pattern = likePattern(q, match);
  const columns = typeof column === 'string' ? [column] : column;
  query.where((w) => {
    for (const c of columns) w.orWhereRaw(`${e.table}.${c} like ? escape '!'`, [pattern]);
  });
}

/** Fills each row's many-user fields from their link tables. */
async function withLinks(db: Knex, e: AnyEntity, rows: Row[]): Promise<Row[]> {
  const linked = Object.entries(e.fields).filter(([, f]) => f.kind === 'users' && f.link);
  if (rows.length === 0 || linked.length === 0) return rows;
  const ids = rows.map((r) => r.id);
  for (const [key, f] of linked) {
    const { table, ownKey, userKey } = f.link!;
    const links: Array<Record<string, number>> = await db(table).whereIn(ownKey, ids).orderBy([ownKey, userKey]).select(ownKey, userKey);
    for (const row of rows) row[key] = links.filter((l) => Number(l[ownKey]) === row.id).map((l) => Number(l[userKey]));
  }
  return rows;
}

export function repositoryOf(e: AnyEntity) {
  // A scoped query may join a parent: the entity's own columns are named with its table.
  const own = (where: Record<string, unknown>) => Object.fromEntries(Object.entries(where).map(([k, v]) => [`${e.table}.${k}`, v]));
  return {
    async findById(c: ReadCtx, id: number, deleted: Deleted = 'exclude'): Promise<Row | undefined> {
      const scope = await resolveScope(c.db, c.actor);
      const row: Row | undefined = await scopedQuery(c.db, e, scope, deleted).where(`${e.table}.id`, id).first(`${e.table}.*`);
      return row ? (await withLinks(c.db, e, [row]))[0] : undefined;
    },

    /** `where`: columns of the entity's own the record must also hold (the parent both records share). */
    async exists(c: ReadCtx, id: number, where: Record<string, unknown> = {}): Promise<boolean> {
      const scope = await resolveScope(c.db, c.actor);
      return !!(await scopedQuery(c.db, e, scope).where(`${e.table}.id`, id).where(own(where)).first(`${e.table}.id`));
    },

    /** Records to pick from: the search's matches in title order, a few at most. */
    async choices(c: ReadCtx, q: string | undefined, limit = 20, where: Record<string, unknown> = {}): Promise<Choice[]> {
      const scope = await resolveScope(c.db, c.actor);
      const query = scopedQuery(c.db, e, scope).where(own(where));
      applySearch(query, e, q);
      return query
        .orderBy([`${e.table}.${e.titleColumn}`, `${e.table}.id`])
        .limit(limit)
        .select(`${e.table}.id`, `${e.table}.${e.titleColumn} as title`);
    },

    /** Live records in scope that a condition on the entity's own columns picks, a few at most (ordered by id). */
    async find(c: ReadCtx, where: (query: Knex.QueryBuilder) => void, limit = 10): Promise<Row[]> {
      const scope = await resolveScope(c.db, c.actor);
      const query = scopedQuery(c.db, e, scope);
      where(query);
      return query.orderBy(`${e.table}.id`).limit(limit).select(`${e.table}.*`);
    },

    withLinks: (db: Knex, rows: Row[]) => withLinks(db, e, rows),
  };
}
