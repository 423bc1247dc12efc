import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope } from '../../authz/data-scope.js';
import { customerListQuery } from '../customers/customers.schema.js';
import { customerRepository } from '../customers/customers.repository.js';

// The records a quote points at, each read through its owner's scope: a quote can only be made
// for a customer, and tied to an opportunity, that the actor may see.

export type QuoteCustomer = { id: number; name: string };
export type QuoteOpportunity = { id: number; title: string };

export function quoteLookups(db: Knex) {
  const customers = customerRepository(db);
  return {
    async customer(actor: Actor, id: number): Promise<QuoteCustomer | undefined> {
      const row = await customers.findById(actor, id);
      return row ? { id: row.id, name: row.name } : undefined;
    },

    /** The customer search of the "new quote" page: the customers list's own search, first page. */
    async searchCustomers(actor: Actor, q: string): Promise<Array<{ id: number; name: string; company: string | null }>> {
      const page = await customers.list(actor, customerListQuery.parse({ q, sort: 'name', dir: 'asc' }), { page: 1, perPage: 20, offset: 0 });
      return page.rows.map((r) => ({ id: r.id, name: r.name, company: r.company }));
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
