import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope } from '../../authz/data-scope.js';
import { findCustomer, searchCustomers } from '../customers/index.js';

// The records a quote points at, each read through its owner's scope: a quote can only be made
// for a customer, and tied to an opportunity, that the actor may see.

export type QuoteCustomer = { id: number; name: string };
export type QuoteOpportunity = { id: number; title: string };

export function quoteLookups(db: Knex) {
  return {
    async customer(actor: Actor, id: number): Promise<QuoteCustomer | undefined> {
      const row = await findCustomer(db, actor, id);
      return row ? { id: row.id, name: String(row.name) } : undefined;
    },

    /** The customer search of the "new quote" page: the customers list's own search, first page. */
    async searchCustomers(actor: Actor, q: string): Promise<Array<{ id: number; name: string; company: string | null }>> {
      return (await searchCustomers(db, actor, q)).map((r) => ({ id: r.id, name: String(r.name), company: (r.company as string | null) ?? null }));
    },

    /** The customer's live opportunities in the actor's scope, for the optional opportunity picker. */
    async opportunitiesOf(actor: Actor, customerId: number): Promise<QuoteOpportunity[]> {
      const scope = await ownerScope(db, actor);
      return applyOwnerScope(db('opportunities'), scope, 'opportunities.owner_id')
        .where('customer_id', customerId)
        .whereNull('deleted_at')
        .orderBy('id', 'desc')
        .limit(100)
        .select('id', 'title');
    },
  };
}
