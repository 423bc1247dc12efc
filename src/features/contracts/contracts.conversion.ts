import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope } from '../../authz/data-scope.js';
import { fromCents, toCents } from '../../shared/money.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import { priceLines, type LineItem } from '../line-items/index.js';
import { RefusedError } from './contracts.events.js';
import { prepareDocumentNumbers } from '../../db/document-number.js';
import { insertDraftContract } from './contracts.service.js';
import { lockLiveCustomer } from '../customers/live-customer.js';
import { inTransaction } from '../../db/transaction.js';

// One-step creation: an accepted quote or a won opportunity becomes a draft contract, in one
// transaction with its items and audit row. A source already turned into a contract leads to that
// contract instead of a second one (a double click must not make two): the transaction locks the
// source's row before it looks for a contract, so a second request waits for the first to commit
// and then finds its contract.

export type Converted = { id: number; existing: boolean };

const decimal = (value: string | number) => fromCents(toCents(value));

/** The customer of a quote or an opportunity, read before its transaction; undefined: no such source. */
async function customerOf(db: Knex, table: 'quotes' | 'opportunities', id: number): Promise<number | undefined> {
  const row: { customer_id: number } | undefined = await db(table).where('id', id).first('customer_id');
  return row?.customer_id;
}

/**
 * The customer's row is locked (lockLiveCustomer) ahead of the source's. Deleting a customer locks
 * the customer, then its opportunities (customer-cascade.ts), and logging a follow-up the customer,
 * then the opportunity: the same order here. Locked after the opportunity, the contract's insert
 * waited for the customer row (its foreign key) while a customer delete held it and waited for the
 * opportunity: a deadlock. Whether the customer is live is judged once the source is known to be in
 * scope.
 */
function liveCustomer(customer: { name: string } | undefined, source: { customer_id: number }, customerId: number, backUrl: string): void {
  // Moved to another customer between the read and the lock: the other customer was not locked.
  if (Number(source.customer_id) !== customerId) throw new ConflictError();
  if (!customer) throw new RefusedError('contracts.refused.customer_deleted', {}, backUrl);
}

/**
 * Locks the quote's or opportunity's row for the rest of the transaction (MariaDB; SQLite lets one
 * writer in at a time anyway). It must come before the transaction's first plain read: under
 * REPEATABLE READ the snapshot is taken at the first plain read (a locking read takes none), and one
 * taken before the wait would not show the contract the other request committed. Only the row, by
 * primary key: scope is checked after.
 */
async function lockSource(trx: Knex.Transaction, table: 'quotes' | 'opportunities', id: number): Promise<void> {
  await trx(table).where('id', id).forUpdate().first('id');
}

async function existingContract(trx: Knex.Transaction, column: 'quote_id' | 'opportunity_id', id: number): Promise<number | null> {
  const row: { id: number } | undefined = await trx('contracts').where(column, id).whereNull('deleted_at').orderBy('id').first('id');
  return row?.id ?? null;
}

export function contractConversion(db: Knex) {
  return {
    fromQuote: async (actor: Actor, quoteId: number, info: RequestInfo): Promise<Converted> => {
      const customerId = await customerOf(db, 'quotes', quoteId);
      if (customerId === undefined) throw new NotFoundError();
      const year = await prepareDocumentNumbers(db, 'CT', actor.timeZone);
      return inTransaction(db, async (trx) => {
        const customer = await lockLiveCustomer(trx, customerId);
        await lockSource(trx, 'quotes', quoteId);
        const scope = await ownerScope(trx, actor);
        const quote = await applyOwnerScope(trx('quotes'), scope, 'quotes.owner_id').where('id', quoteId).whereNull('deleted_at').first();
        if (!quote) throw new NotFoundError();
        const backUrl = `/quotes/${quoteId}`;
        if (quote.status !== 'accepted') throw new RefusedError('contracts.refused.quote_not_accepted', { number: quote.number }, backUrl);
        const existing = await existingContract(trx, 'quote_id', quoteId);
        if (existing !== null) return { id: existing, existing: true };
        liveCustomer(customer, quote, customerId, backUrl);
        const rows: Array<Record<string, string | number | null>> = await trx('quote_items')
          .where('quote_id', quoteId)
          .orderBy([{ column: 'sort' }, { column: 'id' }]);
        const items: LineItem[] = rows.map((r) => ({
          product_id: r.product_id === null ? null : Number(r.product_id),
          product_name: String(r.product_name),
          quantity: decimal(r.quantity as string),
          unit_price: decimal(r.unit_price as string),
          discount_percent: decimal(r.discount_percent as string),
        }));
        const id = await insertDraftContract(
          trx,
          actor,
          {
            customer_id: quote.customer_id,
            opportunity_id: quote.opportunity_id ?? null,
            quote_id: quoteId,
            title: quote.title,
            currency: quote.currency,
            sign_date: null,
            start_date: null,
            end_date: null,
            remark: null,
            owner_id: quote.owner_id,
          },
          priceLines(items),
          info,
          year,
        );
        return { id, existing: false };
      });
    },

    fromOpportunity: async (actor: Actor, opportunityId: number, info: RequestInfo): Promise<Converted> => {
      const customerId = await customerOf(db, 'opportunities', opportunityId);
      if (customerId === undefined) throw new NotFoundError();
      const year = await prepareDocumentNumbers(db, 'CT', actor.timeZone);
      return inTransaction(db, async (trx) => {
        const customer = await lockLiveCustomer(trx, customerId);
        await lockSource(trx, 'opportunities', opportunityId);
        const scope = await ownerScope(trx, actor);
        const opportunity = await applyOwnerScope(trx('opportunities as o'), scope, 'o.owner_id')
          .join('pipeline_stages as s', 's.id', 'o.stage_id')
          .where('o.id', opportunityId)
          .whereNull('o.deleted_at')
          .first('o.*', 's.kind as stage_kind');
        if (!opportunity) throw new NotFoundError();
        const backUrl = `/opportunities/${opportunityId}`;
        if (opportunity.stage_kind !== 'won') {
          throw new RefusedError('contracts.refused.opportunity_not_won', { title: opportunity.title }, backUrl);
        }
        const existing = await existingContract(trx, 'opportunity_id', opportunityId);
        if (existing !== null) return { id: existing, existing: true };
        liveCustomer(customer, opportunity, customerId, backUrl);
        const item: LineItem = {
          product_id: null,
          product_name: opportunity.title,
          quantity: '1',
          unit_price: decimal(opportunity.amount),
          discount_percent: '0',
        };
        const id = await insertDraftContract(
          trx,
          actor,
          {
            customer_id: opportunity.customer_id,
            opportunity_id: opportunityId,
            quote_id: null,
            title: opportunity.title,
            currency: opportunity.currency,
            sign_date: null,
            start_date: null,
            end_date: null,
            remark: null,
            owner_id: opportunity.owner_id,
          },
          priceLines([item]),
          info,
          year,
        );
        return { id, existing: false };
      });
    },
  };
}
