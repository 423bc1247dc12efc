import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope } from '../../authz/data-scope.js';
import { countUpTo, likePattern } from '../../db/sql.js';
import { fromCents, toCents, wholeCents } from '../../shared/money.js';
import { COUNT_CAP, pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import { monthOf } from './receivables.js';
import type { ReceivablesQuery, ReceivableSort } from './payments.schema.js';

export type PlanRow = {
  id: number;
  contract_id: number;
  seq: number;
  due_date: string;
  amount: string;
  received_amount: string;
  remark: string | null;
  owner_id: number;
  is_settled: boolean;
  /** Added to by every write that changes the plan; an edit form made on an older one is a 409. */
  version: number;
  created_at: string;
  updated_at: string;
};

export type PaymentRecordRow = {
  id: number;
  contract_id: number;
  plan_id: number | null;
  plan_seq: number | null;
  amount: string;
  paid_on: string;
  method: string;
  reference: string | null;
  remark: string | null;
  creator_name: string;
  created_at: string;
};

export type ReceivableRow = PlanRow & {
  outstanding: string;
  contract_number: string;
  contract_title: string;
  contract_status: string;
  currency: string;
  customer_id: number;
  customer_name: string;
  owner_name: string;
};

/** The receivables of one currency: amounts of different currencies are never added together. */
export type ReceivableTotals = { currency: string; amount: string; received: string; outstanding: string };

const decimal = (value: string | number | null) => fromCents(toCents(value));

export function normalisePlan<T extends PlanRow>(row: T): T {
  return {
    ...row,
    due_date: String(row.due_date).slice(0, 10),
    amount: decimal(row.amount),
    received_amount: decimal(row.received_amount),
    is_settled: Boolean(row.is_settled),
    version: Number(row.version),
  };
}

const sortColumn: Record<ReceivableSort, string> = {
  due_date: 'p.due_date',
  amount: 'p.amount',
  number: 'c.number',
  customer: 'cu.name',
};

/**
 * Ids of the contracts whose number, or whose customer's name, starts with `q`: two prefix ranges
 * (contracts.number's unique index; customers_all_name, then contracts_customer), as one derived
 * table the plans join by payment_plans_contract_seq. An OR across the two joined tables would
 * instead read every plan in scope and test each.
 */
function contractsMatching(db: Knex, q: string): Knex.QueryBuilder {
  const pattern = likePattern(q, 'prefix');
  const byNumber = db('contracts as mc').whereRaw(`mc.number like ? escape '!'`, [pattern]).select('mc.id');
  const byCustomer = db('customers as mcu')
    .join('contracts as mcc', 'mcc.customer_id', 'mcu.id')
    .whereRaw(`mcu.name like ? escape '!'`, [pattern])
    .select('mcc.id');
  return byNumber.union(byCustomer);
}

/** Contract statuses whose instalments are receivables: approved (payments may come) and signed. */
export const RECEIVABLE_STATUSES = ['approved', 'signed'] as const;

export function paymentRepository(db: Knex) {
  return {
    async plansOf(contractId: number, trx: Knex = db): Promise<PlanRow[]> {
      const rows: PlanRow[] = await trx('payment_plans').where('contract_id', contractId).orderBy([{ column: 'seq' }, { column: 'id' }]);
      return rows.map(normalisePlan);
    },

    async planOf(contractId: number, planId: number, trx: Knex = db): Promise<PlanRow | undefined> {
      const row: PlanRow | undefined = await trx('payment_plans').where({ id: planId, contract_id: contractId }).first();
      return row ? normalisePlan(row) : undefined;
    },

    async recordsOf(contractId: number): Promise<PaymentRecordRow[]> {
      const rows: PaymentRecordRow[] = await db('payment_records as r')
        .join('users as u', 'u.id', 'r.created_by')
        .leftJoin('payment_plans as p', 'p.id', 'r.plan_id')
        .where('r.contract_id', contractId)
        .orderBy([{ column: 'r.paid_on', order: 'desc' }, { column: 'r.id', order: 'desc' }])
        .select('r.*', 'p.seq as plan_seq', 'u.display_name as creator_name');
      return rows.map((r) => ({ ...r, amount: decimal(r.amount), paid_on: String(r.paid_on).slice(0, 10) }));
    },

    /**
     * The receivables list: instalments in the actor's scope (payment_plans.owner_id), with their
     * contract and customer, and their totals by the contract's currency.
     */
    async receivables(
      actor: Actor,
      filters: ReceivablesQuery,
      page: PageRequest,
      today: string,
    ): Promise<{ pageData: Page<ReceivableRow>; totals: ReceivableTotals[] }> {
      const scope = await ownerScope(db, actor);
      const base = () => {
        const query = applyOwnerScope(db('payment_plans as p'), scope, 'p.owner_id')
          .join('contracts as c', 'c.id', 'p.contract_id')
          .whereNull('c.deleted_at')
          .whereIn('c.status', RECEIVABLE_STATUSES);
        // Narrows the scoped query; it never widens it.
        if (filters.q) query.join(contractsMatching(db, filters.q).as('m'), 'm.id', 'p.contract_id');
        if (filters.settled === 'open') query.where('p.is_settled', false);
        if (filters.settled === 'settled') query.where('p.is_settled', true);
        if (filters.due === 'overdue') query.where('p.due_date', '<', today).where('p.is_settled', false);
        if (filters.due === 'this_month') {
          const month = monthOf(today);
          query.whereBetween('p.due_date', [month.first, month.last]);
        }
        if (filters.owner_id) query.where('p.owner_id', filters.owner_id);
        return query;
      };
      const rows: ReceivableRow[] = await base()
        .join('customers as cu', 'cu.id', 'c.customer_id')
        .join('users as u', 'u.id', 'p.owner_id')
        .select(
          'p.*',
          'c.number as contract_number',
          'c.title as contract_title',
          'c.status as contract_status',
          'c.currency',
          'c.customer_id',
          'cu.name as customer_name',
          'u.display_name as owner_name',
        )
        .orderBy([
          { column: sortColumn[filters.sort], order: filters.dir },
          { column: 'p.id', order: filters.dir },
        ])
        .limit(page.perPage + 1)
        .offset(page.offset);
      const counted = await countUpTo(db, base(), COUNT_CAP + 1);
      // Summed in SQL in whole cents, exact on both dialects (see wholeCents), one row per currency.
      const sums: Array<{ currency: string; amount_cents: number | string | null; received_cents: number | string | null }> = await base()
        .groupBy('c.currency')
        .orderBy('c.currency')
        .select('c.currency', db.raw('sum(round(p.amount * 100)) as amount_cents'), db.raw('sum(round(p.received_amount * 100)) as received_cents'));
      const totals = sums.map((row) => {
        const amount = wholeCents(row.amount_cents);
        const received = wholeCents(row.received_cents);
        return { currency: row.currency, amount: fromCents(amount), received: fromCents(received), outstanding: fromCents(amount - received) };
      });
      const hasNext = rows.length > page.perPage;
      const shown = rows.slice(0, page.perPage).map((r) => {
        const plan = normalisePlan(r);
        return { ...plan, outstanding: fromCents(toCents(plan.amount) - toCents(plan.received_amount)) };
      });
      return {
        pageData: pageOf(shown, page, counted, hasNext),
        totals,
      };
    },
  };
}
