import type { Knex } from 'knex';
import { applyOwnerScope, scopedWalk, type OwnerScope } from '../../authz/data-scope.js';
import { RECEIVABLE_STATUSES } from '../payments/payments.repository.js';

// My day's questions. Each section first finds its rows' ids in the one table that answers the
// question, from an index that starts with the owner (a rep) or walked in date order with the owner
// checked inside it (a team, everyone), and only then reads names for those few rows. Asked as one
// plain join, MariaDB started from the small users table and sorted every customer in scope: 1.7 s
// for a manager and 9 s for the admin at a million customers. Lists show the first few rows;
// counts stop at MY_DAY_COUNT_CAP.
export const MY_DAY_ROWS = 10;
export const MY_DAY_COUNT_CAP = 100;

export type DueCustomer = { id: number; name: string; company: string | null; phone: string | null; next_follow_up_at: string; owner_name: string };
export type StaleCustomer = { id: number; name: string; company: string | null; last_contact_at: string | null; created_at: string; owner_name: string };
export type ClosingOpportunity = { id: number; title: string; customer_id: number; customer_name: string; amount: string | number; currency: string; probability: number; expected_close_date: string; stage_id: number; owner_name: string };
export type AwaitingContract = { id: number; number: string; title: string; total: string | number; currency: string; customer_name: string; owner_name: string; updated_at: string };
export type Receivable = { id: number; contract_id: number; contract_number: string; customer_name: string; due_date: string; amount: string | number; received_amount: string | number; currency: string; owner_name: string };

export type Section<T> = { rows: T[]; count: number };
type Order = Array<{ column: string; order: 'asc' | 'desc' }>;

export function myDayRepository(db: Knex) {
  /**
   * The first MY_DAY_ROWS of `filtered` in `order` with their names, and how many there are up to
   * MY_DAY_COUNT_CAP, in one statement: up to CAP + 1 rows' ids and sort columns from the
   * section's own index (a derived table with its LIMIT, read first and alone), counted and ranked
   * there by window functions, and the first MY_DAY_ROWS of them joined by `details` to the names
   * the page shows. On this kind of machine a statement costs about as much to send and plan as to
   * run, and planning a team's 40-owner list is most of a section's time (0.4 ms a walk), so the
   * section walks its index once: a second walk for the count cost as much again.
   * `filtered` names its table `m`; `details` reads the ranked rows as `d`.
   */
  async function section<T extends { id: number }>(
    filtered: () => Knex.QueryBuilder,
    order: Order,
    details: (found: Knex.QueryBuilder) => Knex.QueryBuilder,
  ): Promise<Section<T>> {
    const found = filtered().orderBy(order).limit(MY_DAY_COUNT_CAP + 1).select([...new Set(order.map((o) => o.column))]);
    const inFound = order.map((o) => ({ ...o, column: o.column.replace(/^m\./, 'f.') }));
    const ranked = db
      .from(found.as('f'))
      .select(
        'f.*',
        db.raw('count(*) over () as section_count'),
        db.raw(`row_number() over (order by ${inFound.map((o) => `?? ${o.order}`).join(', ')}) as section_rank`, inFound.map((o) => o.column)),
      );
    const rows: Array<T & { section_count: number | string }> = await details(db.from(ranked.as('d')).where('d.section_rank', '<=', MY_DAY_ROWS))
      .select('d.section_count')
      .orderBy('d.section_rank');
    // No first row means nothing to count either.
    return { rows, count: Number(rows[0]?.section_count ?? 0) };
  }

  // A section's table is `m`. A team walks the date-first index named with it, the owner checked
  // inside it; a rep's one owner is planned cheaply and reads its owner-first index.
  const liveCustomers = (scope: OwnerScope, teamIndex: string) => scopedWalk(db, scope, 'customers', 'm', teamIndex).whereNull('m.deleted_at');
  const customerDetails = (columns: string[]) => (found: Knex.QueryBuilder) =>
    found
      .join('customers as c', 'c.id', 'd.id')
      .join('users as u', 'u.id', 'c.owner_id')
      .select(...columns.map((column) => `c.${column}`), 'u.display_name as owner_name');

  return {
    /** Customers whose next follow-up falls before `before` (the start of the user's tomorrow). */
    dueFollowUps(scope: OwnerScope, before: string): Promise<Section<DueCustomer>> {
      return section<DueCustomer>(
        () => liveCustomers(scope, 'customers_all_next_follow_up_at').where('m.next_follow_up_at', '<', before),
        [{ column: 'm.next_follow_up_at', order: 'asc' }, { column: 'm.id', order: 'asc' }],
        customerDetails(['id', 'name', 'company', 'phone', 'next_follow_up_at']),
      );
    },

    /**
     * Customers not contacted since `cutoff`: contacted before it, or never contacted and created
     * before it (a customer added yesterday is not neglected). Never-contacted ones come first.
     */
    staleCustomers(scope: OwnerScope, cutoff: string): Promise<Section<StaleCustomer>> {
      return section<StaleCustomer>(
        () =>
          liveCustomers(scope, 'customers_all_last_contact_at').where((w) =>
            w.where('m.last_contact_at', '<', cutoff).orWhere((n) => n.whereNull('m.last_contact_at').where('m.created_at', '<', cutoff)),
          ),
        [{ column: 'm.last_contact_at', order: 'asc' }, { column: 'm.id', order: 'asc' }],
        customerDetails(['id', 'name', 'company', 'last_contact_at', 'created_at']),
      );
    },

    /**
     * Live opportunities in open stages expected to close between two calendar dates. Their totals
     * are one click away (/opportunities?close_month=…): summed here, they cost the admin 110 ms.
     */
    closingOpportunities(scope: OwnerScope, openStageIds: number[], first: string, last: string): Promise<Section<ClosingOpportunity>> {
      return section<ClosingOpportunity>(
        () =>
          scopedWalk(db, scope, 'opportunities', 'm', 'opportunities_all_close_stage')
            .whereNull('m.deleted_at')
            .whereIn('m.stage_id', openStageIds)
            .whereBetween('m.expected_close_date', [first, last]),
        [{ column: 'm.expected_close_date', order: 'asc' }, { column: 'm.owner_id', order: 'asc' }, { column: 'm.id', order: 'asc' }],
        (found) =>
          found
            .join('opportunities as o', 'o.id', 'd.id')
            .join('customers as c', 'c.id', 'o.customer_id')
            .join('users as u', 'u.id', 'o.owner_id')
            .select('o.id', 'o.title', 'o.customer_id', 'c.name as customer_name', 'o.amount', 'o.currency', 'o.probability', 'o.expected_close_date', 'o.stage_id', 'u.display_name as owner_name'),
      );
    },

    /** Contracts submitted to this user for approval. Approval is personal: no team view. */
    contractsAwaitingApproval(approverId: number): Promise<Section<AwaitingContract>> {
      return section<AwaitingContract>(
        () => db('contracts as m').where('m.approver_id', approverId).where('m.status', 'pending_approval').whereNull('m.deleted_at'),
        [{ column: 'm.updated_at', order: 'asc' }, { column: 'm.id', order: 'asc' }],
        (found) =>
          found
            .join('contracts as ct', 'ct.id', 'd.id')
            .join('customers as c', 'c.id', 'ct.customer_id')
            .join('users as u', 'u.id', 'ct.owner_id')
            .select('ct.id', 'ct.number', 'ct.title', 'ct.total', 'ct.currency', 'c.name as customer_name', 'u.display_name as owner_name', 'ct.updated_at'),
      );
    },

    /** Unsettled instalments of live contracts due on or before `until` (overdue ones included), oldest first. */
    receivables(scope: OwnerScope, until: string): Promise<Section<Receivable>> {
      return section<Receivable>(
        () =>
          applyOwnerScope(db('payment_plans as m'), scope, 'm.owner_id')
            .where('m.is_settled', false)
            .where('m.due_date', '<=', until)
            .whereExists((q) =>
              q.from('contracts as ct').whereRaw('ct.id = m.contract_id').whereNull('ct.deleted_at').whereIn('ct.status', RECEIVABLE_STATUSES),
            ),
        [{ column: 'm.due_date', order: 'asc' }, { column: 'm.id', order: 'asc' }],
        (found) =>
          found
            .join('payment_plans as p', 'p.id', 'd.id')
            .join('contracts as ct', 'ct.id', 'p.contract_id')
            .join('customers as c', 'c.id', 'ct.customer_id')
            .join('users as u', 'u.id', 'p.owner_id')
            .select('p.id', 'p.contract_id', 'ct.number as contract_number', 'c.name as customer_name', 'p.due_date', 'p.amount', 'p.received_amount', 'ct.currency', 'u.display_name as owner_name'),
      );
    },
  };
}
