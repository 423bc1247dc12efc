import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope } from '../../authz/data-scope.js';

// The records a contract points at (its customer, opportunity and quote), each read through its own
// owner's scope: the form's pickers list, and a save accepts, only what the actor may open.

const PICKER_LIMIT = 100;
type Table = 'customers' | 'opportunities' | 'quotes';

export function contractReferences(db: Knex) {
  /** Live rows of `table` the actor may open, as rows (a query builder returned from here would run when awaited). */
  async function inScope<T>(actor: Actor, table: Table, narrow: (query: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<T> {
    const scope = await ownerScope(db, actor);
    return narrow(applyOwnerScope(db(table), scope, `${table}.owner_id`).whereNull(`${table}.deleted_at`));
  }

  return {
    customer: (actor: Actor, id: number) =>
      inScope<{ id: number; name: string } | undefined>(actor, 'customers', (q) => q.where('customers.id', id).first('id', 'name')),

    /** Is the opportunity the customer's, and one the actor may open? */
    hasOpportunity: async (actor: Actor, customerId: number, id: number) =>
      !!(await inScope(actor, 'opportunities', (q) => q.where({ 'opportunities.id': id, customer_id: customerId }).first('id'))),

    hasQuote: async (actor: Actor, customerId: number, id: number) =>
      !!(await inScope(actor, 'quotes', (q) => q.where({ 'quotes.id': id, customer_id: customerId }).first('id'))),

    opportunitiesOf: (actor: Actor, customerId: number) =>
      inScope<Array<{ id: number; title: string }>>(actor, 'opportunities', (q) =>
        q.where('customer_id', customerId).orderBy('id', 'desc').limit(PICKER_LIMIT).select('id', 'title'),
      ),

    quotesOf: (actor: Actor, customerId: number) =>
      inScope<Array<{ id: number; number: string; title: string }>>(actor, 'quotes', (q) =>
        q.where('customer_id', customerId).orderBy('id', 'desc').limit(PICKER_LIMIT).select('id', 'number', 'title'),
      ),
  };
}
