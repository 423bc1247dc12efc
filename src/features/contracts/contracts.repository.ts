import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope, type OwnerScope } from '../../authz/data-scope.js';
import { countUpTo, insertRow, likePattern } from '../../db/sql.js';
import { fromCents, toCents } from '../../shared/money.js';
import { COUNT_CAP, pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import type { ContractListQuery, ContractStatus, SortColumn } from './contracts.schema.js';

export type ContractRow = {
  id: number;
  number: string;
  customer_id: number;
  opportunity_id: number | null;
  quote_id: number | null;
  title: string;
  currency: string;
  total: string;
  approved_total: string | null;
  sign_date: string | null;
  start_date: string | null;
  end_date: string | null;
  status: ContractStatus;
  approver_id: number | null;
  remark: string | null;
  owner_id: number;
  created_by: number;
  version: number;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
};

export type ContractDetail = ContractRow & {
  customer_name: string;
  owner_name: string;
  approver_name: string | null;
  opportunity_title: string | null;
  quote_number: string | null;
};

export type ContractListRow = ContractRow & { customer_name: string; owner_name: string };

export type ContractEvent = { id: number; action: string; comment: string | null; actor_name: string; at: string };

const sortColumn: Record<SortColumn, string> = {
  number: 'number',
  title: 'title',
  total: 'total',
  status: 'status',
  sign_date: 'sign_date',
  updated_at: 'updated_at',
  created_at: 'id',
};

/** DECIMAL columns come back as numbers (SQLite) or strings (MySQL): one form for the rest of the code. */
const decimal = (value: string | number | null): string => fromCents(toCents(value));
const dateOnly = (value: unknown): string | null => (value === null || value === undefined ? null : String(value).slice(0, 10));

export function normaliseContract<T extends ContractRow>(row: T): T {
  return {
    ...row,
    total: decimal(row.total),
    approved_total: row.approved_total === null ? null : decimal(row.approved_total),
    sign_date: dateOnly(row.sign_date),
    start_date: dateOnly(row.start_date),
    end_date: dateOnly(row.end_date),
  };
}

export function contractRepository(db: Knex) {
  /** Live contracts the actor may see; every query below starts here. */
  function scoped(scope: OwnerScope, trx: Knex = db): Knex.QueryBuilder {
    return applyOwnerScope(trx('contracts'), scope, 'contracts.owner_id').whereNull('contracts.deleted_at');
  }

  function filtered(scope: OwnerScope, filters: ContractListQuery): Knex.QueryBuilder {
    const query = scoped(scope);
    if (filters.q) {
      const pattern = likePattern(filters.q, 'contains');
      query.where((w) =>
        w.whereRaw(`contracts.number like ? escape '!'`, [pattern]).orWhereRaw(`contracts.title like ? escape '!'`, [pattern]),
      );
    }
    if (filters.status) query.where('contracts.status', filters.status);
    if (filters.owner_id) query.where('contracts.owner_id', filters.owner_id);
    if (filters.customer_id) query.where('contracts.customer_id', filters.customer_id);
    return query;
  }

  return {
    async list(actor: Actor, filters: ContractListQuery, page: PageRequest): Promise<Page<ContractListRow>> {
      const scope = await ownerScope(db, actor);
      const column = `contracts.${sortColumn[filters.sort]}`;
      const rows: ContractListRow[] = await filtered(scope, filters)
        .join('customers as cu', 'cu.id', 'contracts.customer_id')
        .join('users as u', 'u.id', 'contracts.owner_id')
        .select('contracts.*', 'cu.name as customer_name', 'u.display_name as owner_name')
        .orderBy([
          { column, order: filters.dir },
          { column: 'contracts.id', order: filters.dir },
        ])
        .limit(page.perPage + 1)
        .offset(page.offset);
      const counted = await countUpTo(db, filtered(scope, filters), COUNT_CAP + 1);
      const hasNext = rows.length > page.perPage;
      return pageOf(rows.slice(0, page.perPage).map(normaliseContract), page, counted, hasNext);
    },

    /** A live contract in the actor's scope, with the names its page shows. */
    async findById(actor: Actor, id: number, trx: Knex = db): Promise<ContractDetail | undefined> {
      const scope = await ownerScope(trx, actor);
      const row: ContractDetail | undefined = await scoped(scope, trx)
        .join('customers as cu', 'cu.id', 'contracts.customer_id')
        .join('users as owner', 'owner.id', 'contracts.owner_id')
        .leftJoin('users as approver', 'approver.id', 'contracts.approver_id')
        .leftJoin('opportunities as o', 'o.id', 'contracts.opportunity_id')
        .leftJoin('quotes as q', 'q.id', 'contracts.quote_id')
        .where('contracts.id', id)
        .first(
          'contracts.*',
          'cu.name as customer_name',
          'owner.display_name as owner_name',
          'approver.display_name as approver_name',
          'o.title as opportunity_title',
          'q.number as quote_number',
        );
      return row ? normaliseContract(row) : undefined;
    },

    /** The approval trail and other status changes, newest first. */
    async events(contractId: number): Promise<ContractEvent[]> {
      return db('contract_events as e')
        .join('users as u', 'u.id', 'e.actor_id')
        .where('e.contract_id', contractId)
        .orderBy([{ column: 'e.at', order: 'desc' }, { column: 'e.id', order: 'desc' }])
        .select('e.id', 'e.action', 'e.comment', 'u.display_name as actor_name', 'e.at');
    },

    async insert(trx: Knex.Transaction, row: Omit<ContractRow, 'id'>): Promise<number> {
      return insertRow(trx, 'contracts', row);
    },

    /** Writes only if the version (and, when given, the status) still match; 0 means someone else changed it. */
    async updateIfVersion(
      trx: Knex.Transaction,
      actor: Actor,
      id: number,
      version: number,
      changes: Partial<ContractRow>,
      status?: ContractStatus | readonly ContractStatus[],
    ): Promise<number> {
      const scope = await ownerScope(trx, actor);
      const query = scoped(scope, trx).where({ id, version });
      if (typeof status === 'string') query.where('status', status);
      else if (status) query.whereIn('status', status);
      return query.update({ ...changes, version: version + 1 });
    },
  };
}

export type ContractRepository = ReturnType<typeof contractRepository>;
