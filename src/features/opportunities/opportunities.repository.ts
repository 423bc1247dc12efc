import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope, scopedWalk, type OwnerScope } from '../../authz/data-scope.js';
import { insertRow, likePattern, unionAllOf } from '../../db/sql.js';
import { pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import type { OpportunityListQuery, SortColumn } from './opportunities.schema.js';
import { totalColumns, totalsByCurrency, type CurrencyTotal, type TotalRow } from './opportunity-totals.js';
import { pipelineTotals } from './pipeline-totals.js';

export type OpportunityRow = {
  id: number;
  customer_id: number;
  title: string;
  amount: string | number;
  currency: string;
  stage_id: number;
  probability: number;
  expected_close_date: string | null;
  stage_entered_at: string;
  lost_reason: string | null;
  remark: string | null;
  owner_id: number;
  created_by: number;
  version: number;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
};

export type OpportunityListRow = OpportunityRow & { customer_name: string; owner_name: string };
export type OpportunityDetail = OpportunityListRow & { creator_name: string };

/** What a board card shows and moves with: a few columns, not the remark and the timestamps. */
export type BoardCardRow = Pick<
  OpportunityRow,
  'id' | 'title' | 'amount' | 'currency' | 'stage_id' | 'probability' | 'expected_close_date' | 'owner_id' | 'version'
> & { customer_name: string; owner_name: string };
const CARD_COLUMNS = ['id', 'title', 'amount', 'currency', 'stage_id', 'probability', 'expected_close_date', 'owner_id', 'version'].map(
  (column) => `o.${column}`,
);

const sortColumn: Record<SortColumn, string> = {
  title: 'o.title',
  amount: 'o.amount',
  probability: 'o.probability',
  expected_close_date: 'o.expected_close_date',
  stage: 's.sort',
  updated_at: 'o.updated_at',
  created_at: 'o.id',
};

/**
 * The list's order, ending in unique columns so pages never overlap. By close date it follows the
 * close-date indexes exactly ((owner_id,) deleted_at, expected_close_date, owner_id, id).
 */
function orderOf(filters: OpportunityListQuery): Array<{ column: string; order: 'asc' | 'desc' }> {
  const order = filters.dir;
  const column = sortColumn[filters.sort];
  if (filters.sort === 'expected_close_date') return [column, 'o.owner_id', 'o.id'].map((c) => ({ column: c, order }));
  return [{ column, order }, { column: 'o.id', order }];
}

/** Narrowing inside the actor's scope: one owner (a manager's rep filter), stages, close month. */
export type OpportunityFilter = { ownerId?: number; stageIds?: number[] };

export function opportunityRepository(db: Knex) {
  /** Live opportunities the actor may see; every query below starts here. */
  function scoped(scope: OwnerScope, trx: Knex = db, alias = 'o'): Knex.QueryBuilder {
    return applyOwnerScope(trx(`opportunities as ${alias}`), scope, `${alias}.owner_id`).whereNull(`${alias}.deleted_at`);
  }

  /**
   * The board's walks. A whole team's (no one rep picked) reads the index named here: planned
   * freely, its 40-owner list was weighed against all nine indexes of the table, which cost more
   * than the walk (see tableThroughIndex).
   */
  function walked(scope: OwnerScope, filter: OpportunityFilter, teamIndex: string): Knex.QueryBuilder {
    const query = scopedWalk(db, scope, 'opportunities', 'o', filter.ownerId ? undefined : teamIndex).whereNull('o.deleted_at');
    return filter.ownerId ? query.where('o.owner_id', filter.ownerId) : query;
  }

  function filtered(scope: OwnerScope, filters: OpportunityListQuery): Knex.QueryBuilder {
    const query = scoped(scope);
    if (filters.q) query.whereRaw("o.title like ? escape '!'", [likePattern(filters.q, 'contains')]);
    if (filters.stage_id) query.where('o.stage_id', filters.stage_id);
    if (filters.owner_id) query.where('o.owner_id', filters.owner_id);
    if (filters.customer_id) query.where('o.customer_id', filters.customer_id);
    if (filters.close_month) {
      const [year, month] = filters.close_month.split('-').map(Number);
      const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
      query.where('o.expected_close_date', '>=', `${filters.close_month}-01`).where('o.expected_close_date', '<', `${next}-01`);
    }
    return query;
  }

  function withNames(query: Knex.QueryBuilder): Knex.QueryBuilder {
    return query
      .join('customers as c', 'c.id', 'o.customer_id')
      .join('users as u', 'u.id', 'o.owner_id')
      .select('o.*', 'c.name as customer_name', 'u.display_name as owner_name');
  }

  return {
    async list(
      actor: Actor,
      filters: OpportunityListQuery,
      page: PageRequest,
    ): Promise<Page<OpportunityListRow> & { totals: CurrencyTotal[] }> {
      const scope = await ownerScope(db, actor);
      const order = orderOf(filters);
      // Deferred join: the page's ids in index order first (opportunities_owner_close and
      // opportunities_all_close_stage serve the default order), then only those rows with their names.
      const ids = filtered(scope, filters).select('o.id');
      if (filters.sort === 'stage') ids.join('pipeline_stages as s', 's.id', 'o.stage_id');
      ids.orderBy(order).limit(page.perPage + 1).offset(page.offset);
      const query = withNames(db('opportunities as o').join(ids.as('page_ids'), 'page_ids.id', 'o.id'));
      if (filters.sort === 'stage') query.join('pipeline_stages as s', 's.id', 'o.stage_id');
      const rows: OpportunityListRow[] = await query.orderBy(order);
      // Narrowed only by stage and owner, the totals are the summary's (pipeline-totals.ts); a title
      // search, a customer or a close month bounds the set, which is then summed directly.
      const bySummary = !filters.q && !filters.customer_id && !filters.close_month;
      const totalRows: TotalRow[] = bySummary
        ? await pipelineTotals(db, scope, { ownerId: filters.owner_id, stageIds: filters.stage_id ? [filters.stage_id] : undefined })
        : await filtered(scope, filters).groupBy('o.currency').select('o.currency', ...totalColumns(db, 'o'));
      const totals = totalsByCurrency(totalRows);
      const counted = totals.reduce((n, t) => n + t.count, 0);
      return { ...pageOf(rows.slice(0, page.perPage), page, counted, rows.length > page.perPage), totals };
    },

    /** An opportunity in the actor's scope; a deleted one only when asked for (its restore page). */
    async findById(actor: Actor, id: number, trx: Knex = db, options: { includeDeleted?: boolean } = {}): Promise<OpportunityDetail | undefined> {
      const scope = await ownerScope(trx, actor);
      const inScope = options.includeDeleted ? applyOwnerScope(trx('opportunities as o'), scope, 'o.owner_id') : scoped(scope, trx);
      return withNames(inScope)
        .join('users as creator', 'creator.id', 'o.created_by')
        .where('o.id', id)
        .first('creator.display_name as creator_name');
    },

    async productIds(id: number, trx: Knex = db): Promise<number[]> {
      const rows: Array<{ product_id: number }> = await trx('opportunity_products').where('opportunity_id', id).orderBy('product_id');
      return rows.map((r) => Number(r.product_id));
    },

    async products(id: number): Promise<Array<{ id: number; name: string; code: string }>> {
      return db('opportunity_products as op')
        .join('products as p', 'p.id', 'op.product_id')
        .where('op.opportunity_id', id)
        .orderBy('p.name')
        .select('p.id', 'p.name', 'p.code');
    },

    async setProducts(trx: Knex.Transaction, id: number, productIds: number[]): Promise<void> {
      await trx('opportunity_products').where('opportunity_id', id).delete();
      if (productIds.length > 0) {
        await trx('opportunity_products').insert(productIds.map((productId) => ({ opportunity_id: id, product_id: productId })));
      }
    },

    /** The follow-ups logged on one opportunity, newest first (the stage rule counts them). */
    async followups(id: number): Promise<Array<{ id: number; type: string; occurred_at: string; content: string; author_name: string }>> {
      return db('followups as f')
        .join('users as u', 'u.id', 'f.created_by')
        .where('f.opportunity_id', id)
        .orderBy([{ column: 'f.occurred_at', order: 'desc' }, { column: 'f.id', order: 'desc' }])
        .limit(50)
        .select('f.id', 'f.type', 'f.occurred_at', 'f.content', 'u.display_name as author_name');
    },

    async insert(trx: Knex.Transaction, row: Omit<OpportunityRow, 'id'>): Promise<number> {
      return insertRow(trx, 'opportunities', row);
    },

    /** Writes only if the version still matches and the row is in scope; 0 means someone else saved first. */
    async updateIfVersion(
      trx: Knex.Transaction,
      actor: Actor,
      id: number,
      version: number,
      changes: Partial<OpportunityRow>,
    ): Promise<number> {
      const scope = await ownerScope(trx, actor);
      return applyOwnerScope(trx('opportunities'), scope, 'owner_id')
        .where({ id, version })
        .whereNull('deleted_at')
        .update({ ...changes, version: version + 1 });
    },

    /** Brings a deleted opportunity back if its version still matches and it is in scope; 0 otherwise. */
    async restoreIfVersion(trx: Knex.Transaction, actor: Actor, id: number, version: number, now: string): Promise<number> {
      const scope = await ownerScope(trx, actor);
      return applyOwnerScope(trx('opportunities'), scope, 'owner_id')
        .where({ id, version })
        .whereNotNull('deleted_at')
        .update({ deleted_at: null, deleted_with_customer: false, updated_at: now, version: version + 1 });
    },

    // --- the board ---

    /** Count and totals per stage and currency, from the summary kept by every write (pipeline-totals.ts). */
    async stageTotals(actor: Actor, filter: OpportunityFilter): Promise<Array<TotalRow & { stage_id: number }>> {
      return pipelineTotals(db, await ownerScope(db, actor), filter);
    },

    /**
     * The first cards of each stage, the soonest to close first, keyed by stage. Cards without a
     * close date come first (NULL sorts first in both dialects): they are the ones the stage rule
     * will stop. One statement for the whole board, whatever the number of columns: every stage's
     * ids in the order of the stage indexes ((owner_id,) deleted_at, stage_id, expected_close_date,
     * owner_id, id), one range each, combined with UNION ALL in a derived table, and only those few
     * rows joined to their names. Joined inside each range, MariaDB began with the users table and
     * sorted the whole stage (270 ms a column for the admin); asked a column at a time, the board
     * took ten statements, each costing about as much to send and plan as to run.
     */
    async cards(actor: Actor, stageIds: number[], filter: OpportunityFilter, limit: number): Promise<Map<number, BoardCardRow[]>> {
      const byStage = new Map<number, BoardCardRow[]>(stageIds.map((id) => [id, []]));
      if (stageIds.length === 0) return byStage;
      const scope = await ownerScope(db, actor);
      const cardOrder = [{ column: 'o.expected_close_date' }, { column: 'o.owner_id' }, { column: 'o.id' }];
      const perStage = stageIds.map((stageId) =>
        walked(scope, filter, 'opportunities_all_stage').where('o.stage_id', stageId).orderBy(cardOrder).limit(limit).select('o.id'),
      );
      const rows: BoardCardRow[] = await db('opportunities as o')
        .join(unionAllOf(db, perStage).as('card_ids'), 'card_ids.id', 'o.id')
        .join('customers as c', 'c.id', 'o.customer_id')
        .join('users as u', 'u.id', 'o.owner_id')
        .select(...CARD_COLUMNS, 'c.name as customer_name', 'u.display_name as owner_name')
        .orderBy(cardOrder);
      for (const row of rows) byStage.get(Number(row.stage_id))?.push(row);
      return byStage;
    },
  };
}

export type OpportunityRepository = ReturnType<typeof opportunityRepository>;

/** Customers in the actor's scope, for the customer picker and to check the chosen one. */
export function customerChoices(db: Knex) {
  function scoped(scope: OwnerScope): Knex.QueryBuilder {
    return applyOwnerScope(db('customers'), scope, 'customers.owner_id').whereNull('customers.deleted_at');
  }
  return {
    async find(actor: Actor, id: number): Promise<{ id: number; name: string; owner_id: number } | undefined> {
      return scoped(await ownerScope(db, actor)).where('id', id).first('id', 'name', 'owner_id');
    },
    async search(actor: Actor, q: string): Promise<Array<{ id: number; name: string; company: string | null }>> {
      return scoped(await ownerScope(db, actor))
        .whereRaw("name like ? escape '!'", [likePattern(q, 'prefix')])
        .orderBy('name')
        .limit(20)
        .select('id', 'name', 'company');
    },
  };
}
