import type { Knex } from 'knex';
import { applyOwnerScope, type OwnerScope } from '../../authz/data-scope.js';
import { RECEIVABLE_STATUSES } from '../payments/payments.repository.js';

// My day's questions, each answered from an index that starts with the owner (or, for a team,
// walked in date order and checked for the owner inside the index), so none of them scans
// follow-ups or a whole table. Lists show the first few; counts stop at MY_DAY_COUNT_CAP.
export const MY_DAY_ROWS = 10;
export const MY_DAY_COUNT_CAP = 100;

export type DueCustomer = { id: number; name: string; company: string | null; phone: string | null; next_follow_up_at: string; owner_name: string };
export type StaleCustomer = { id: number; name: string; company: string | null; last_contact_at: string | null; created_at: string; owner_name: string };
export type ClosingOpportunity = { id: number; title: string; customer_id: number; customer_name: string; amount: string | number; currency: string; probability: number; expected_close_date: string; stage_id: number; owner_name: string };
export type AwaitingContract = { id: number; number: string; title: string; total: string | number; currency: string; customer_name: string; owner_name: string; updated_at: string };
export type Receivable = { id: number; contract_id: number; contract_number: string; customer_name: string; due_date: string; amount: string | number; received_amount: string | number; currency: string; owner_name: string };

export type Section<T> = { rows: T[]; count: number };

export function myDayRepository(db: Knex) {
  /** The first rows and a count capped at MY_DAY_COUNT_CAP, from one filtered query. */
  async function section<T>(filtered: () => Knex.QueryBuilder, columns: Array<string | Knex.Raw>, order: Array<{ column: string; order: 'asc' | 'desc' }>): Promise<Section<T>> {
    const rows = (await filtered().select(columns).orderBy(order).limit(MY_DAY_ROWS)) as T[];
    if (rows.length < MY_DAY_ROWS) return { rows, count: rows.length };
    const counted = await db
      .from(filtered().select(db.raw('1')).limit(MY_DAY_COUNT_CAP + 1).as('capped'))
      .count({ n: '*' })
      .first();
    return { rows, count: Number(counted?.n ?? 0) };
  }

  const liveCustomers = (scope: OwnerScope) =>
    applyOwnerScope(db('customers as c'), scope, 'c.owner_id')
      .join('users as u', 'u.id', 'c.owner_id')
      .whereNull('c.deleted_at');

  return {
    /** Customers whose next follow-up falls before `before` (the start of the user's tomorrow). */
    dueFollowUps(scope: OwnerScope, before: string): Promise<Section<DueCustomer>> {
      return section<DueCustomer>(
        () => liveCustomers(scope).where('c.next_follow_up_at', '<', before),
        ['c.id', 'c.name', 'c.company', 'c.phone', 'c.next_follow_up_at', 'u.display_name as owner_name'],
        [{ column: 'c.next_follow_up_at', order: 'asc' }, { column: 'c.id', order: 'asc' }],
      );
    },

    /**
     * Customers not contacted since `cutoff`: contacted before it, or never contacted and created
     * before it (a customer added yesterday is not neglected). Never-contacted ones come first.
     */
    staleCustomers(scope: OwnerScope, cutoff: string): Promise<Section<StaleCustomer>> {
      return section<StaleCustomer>(
        () =>
          liveCustomers(scope).where((w) =>
            w.where('c.last_contact_at', '<', cutoff).orWhere((n) => n.whereNull('c.last_contact_at').where('c.created_at', '<', cutoff)),
          ),
        ['c.id', 'c.name', 'c.company', 'c.last_contact_at', 'c.created_at', 'u.display_name as owner_name'],
        [{ column: 'c.last_contact_at', order: 'asc' }, { column: 'c.id', order: 'asc' }],
      );
    },

    /** Open opportunities expected to close between two calendar dates, with totals per currency. */
    async closingOpportunities(scope: OwnerScope, first: string, last: string) {
      const filtered = () =>
        applyOwnerScope(db('opportunities as o'), scope, 'o.owner_id')
          .join('pipeline_stages as s', 's.id', 'o.stage_id')
          .whereNull('o.deleted_at')
          .where('s.kind', 'open')
          .whereBetween('o.expected_close_date', [first, last]);
      const listed = await section<ClosingOpportunity>(
        () => filtered().join('customers as c', 'c.id', 'o.customer_id').join('users as u', 'u.id', 'o.owner_id'),
        ['o.id', 'o.title', 'o.customer_id', 'c.name as customer_name', 'o.amount', 'o.currency', 'o.probability', 'o.expected_close_date', 'o.stage_id', 'u.display_name as owner_name'],
        [{ column: 'o.expected_close_date', order: 'asc' }, { column: 'o.id', order: 'asc' }],
      );
      const totals: Array<{ currency: string; amount: string | number; n: number }> = await filtered()
        .groupBy('o.currency')
        .select('o.currency', db.raw('sum(o.amount) as amount'), db.raw('count(*) as n'));
      return { ...listed, totals };
    },

    /** Contracts submitted to this user for approval. Approval is personal: no team view. */
    contractsAwaitingApproval(approverId: number): Promise<Section<AwaitingContract>> {
      return section<AwaitingContract>(
        () =>
          db('contracts as ct')
            .join('customers as c', 'c.id', 'ct.customer_id')
            .join('users as u', 'u.id', 'ct.owner_id')
            .where('ct.approver_id', approverId)
            .where('ct.status', 'pending_approval')
            .whereNull('ct.deleted_at'),
        ['ct.id', 'ct.number', 'ct.title', 'ct.total', 'ct.currency', 'c.name as customer_name', 'u.display_name as owner_name', 'ct.updated_at'],
        [{ column: 'ct.updated_at', order: 'asc' }, { column: 'ct.id', order: 'asc' }],
      );
    },

    /** Unsettled instalments of live contracts due on or before `until` (overdue ones included), oldest first. */
    receivables(scope: OwnerScope, until: string): Promise<Section<Receivable>> {
      return section<Receivable>(
        () =>
          applyOwnerScope(db('payment_plans as p'), scope, 'p.owner_id')
            .join('contracts as ct', 'ct.id', 'p.contract_id')
            .join('customers as c', 'c.id', 'ct.customer_id')
            .join('users as u', 'u.id', 'p.owner_id')
            .where('p.is_settled', false)
            .whereNull('ct.deleted_at')
            .whereIn('ct.status', RECEIVABLE_STATUSES)
            .where('p.due_date', '<=', until),
        ['p.id', 'p.contract_id', 'ct.number as contract_number', 'c.name as customer_name', 'p.due_date', 'p.amount', 'p.received_amount', 'ct.currency', 'u.display_name as owner_name'],
        [{ column: 'p.due_date', order: 'asc' }, { column: 'p.id', order: 'asc' }],
      );
    },
  };
}
