import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope, type OwnerScope } from '../../authz/data-scope.js';
import { countUpTo, insertRow, likePattern } from '../../db/sql.js';
import { fromCents, toCents } from '../../shared/money.js';
import { COUNT_CAP, pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import type { QuoteListQuery, SortColumn } from './quotes.schema.js';

export type QuoteRow = {
  id: number;
  number: string;
  customer_id: number;
  opportunity_id: number | null;
  title: string;
  currency: string;
  /** DECIMAL strings ("89.99") whatever the dialect returned. */
  subtotal: string;
  discount_total: string;
  total: string;
  valid_until: string | null;
  status: string;
  remark: string | null;
  owner_id: number;
  created_by: number;
  version: number;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
};

export type QuoteListRow = QuoteRow & { customer_name: string; owner_name: string };
export type QuoteDetail = QuoteListRow & { creator_name: string; opportunity_title: string | null };

// created_at follows id, so "newest first" is read in primary-key order.
const sortColumn: Record<SortColumn, string> = {
  number: 'q.number',
  title: 'q.title',
  status: 'q.status',
  total: 'q.total',
  valid_until: 'q.valid_until',
  updated_at: 'q.updated_at',
  created_at: 'q.id',
};

function normalise<T extends Record<string, unknown>>(row: T): T & Pick<QuoteRow, 'subtotal' | 'discount_total' | 'total'> {
  const money = (v: unknown) => fromCents(toCents(v as string | number));
  return {
    ...row,
    subtotal: money(row.subtotal),
    discount_total: money(row.discount_total),
    total: money(row.total),
    // A DATE column: 'YYYY-MM-DD' on both dialects (dateStrings on MySQL).
    valid_until: row.valid_until ? String(row.valid_until).slice(0, 10) : null,
  };
}

export function quoteRepository(db: Knex) {
  /** Live quotes the actor may see; every read below starts here. */
  function scoped(scope: OwnerScope, trx: Knex = db): Knex.QueryBuilder {
    return applyOwnerScope(trx('quotes as q'), scope, 'q.owner_id').whereNull('q.deleted_at');
  }

  return {
    async list(actor: Actor, filters: QuoteListQuery, page: PageRequest): Promise<Page<QuoteListRow>> {
      const scope = await ownerScope(db, actor);
      const query = scoped(scope);
      if (filters.q) {
        const q = filters.q;
        query.where((w) =>
          w
            .whereRaw(`q.number like ? escape '!'`, [likePattern(q.toUpperCase(), 'contains')])
            .orWhereRaw(`q.title like ? escape '!'`, [likePattern(q, 'contains')]),
        );
      }
      if (filters.status) query.where('q.status', filters.status);
      if (filters.customer_id) query.where('q.customer_id', filters.customer_id);
      const counted = await countUpTo(db, query.clone(), COUNT_CAP + 1);
      const column = sortColumn[filters.sort];
      const rows = await query
        .join('customers as c', 'c.id', 'q.customer_id')
        .join('users as u', 'u.id', 'q.owner_id')
        .select('q.*', 'c.name as customer_name', 'u.display_name as owner_name')
        .orderBy([
          { column, order: filters.dir },
          { column: 'q.id', order: filters.dir },
        ])
        .limit(page.perPage + 1)
        .offset(page.offset);
      const hasNext = rows.length > page.perPage;
      return pageOf(rows.slice(0, page.perPage).map(normalise) as QuoteListRow[], page, counted, hasNext);
    },

    async findById(actor: Actor, id: number, trx: Knex = db): Promise<QuoteDetail | undefined> {
      // Inside a transaction: SQLite has one connection, and it is the transaction's.
      const scope = await ownerScope(trx, actor);
      const row = await scoped(scope, trx)
        .join('customers as c', 'c.id', 'q.customer_id')
        .join('users as owner', 'owner.id', 'q.owner_id')
        .join('users as creator', 'creator.id', 'q.created_by')
        .leftJoin('opportunities as o', 'o.id', 'q.opportunity_id')
        .where('q.id', id)
        .first('q.*', 'c.name as customer_name', 'owner.display_name as owner_name', 'creator.display_name as creator_name', 'o.title as opportunity_title');
      return row ? (normalise(row) as QuoteDetail) : undefined;
    },

    insert: (trx: Knex.Transaction, row: Omit<QuoteRow, 'id'>) => insertRow(trx, 'quotes', row),

    /** Writes only if the version (and, when given, the status) still match and the quote is in scope. */
    async updateIfVersion(
      trx: Knex.Transaction,
      actor: Actor,
      id: number,
      version: number,
      changes: Partial<QuoteRow>,
      expectedStatus?: string,
    ): Promise<number> {
      const scope = await ownerScope(trx, actor);
      const query = applyOwnerScope(trx('quotes'), scope, 'owner_id').whereNull('deleted_at').where({ id, version });
      if (expectedStatus) query.where('status', expectedStatus);
      return query.update({ ...changes, version: version + 1 });
    },
  };
}
