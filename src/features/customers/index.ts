import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { listRecords } from '../../kernel/data/list-query.js';
import { repositoryOf } from '../../kernel/data/repository.js';
import type { Row } from '../../kernel/entity/define-entity.js';
import { customers } from './customers.entity.js';

export { customers, CUSTOMER_KINDS } from './customers.entity.js';
export { customerRoutes } from './customers.routes.js';
export { lockLiveCustomer, requireLiveCustomer } from './live-customer.js';

/** A live customer in the actor's scope, else undefined (the caller answers 404). */
export const findCustomer = (db: Knex, actor: Actor, id: number): Promise<Row | undefined> => repositoryOf(customers).findById({ db, actor }, id);

/**
 * Customers to pick one from, by the list's own search: recently updated first, so the one just
 * called is most likely among them, and a surname matching thousands in a large scope is walked in
 * that order (sorted by name, the admin's 马 sorted all 40,000 matches: 269 ms at a million).
 */
export async function searchCustomers(db: Knex, actor: Actor, q: string): Promise<Row[]> {
  const page = { page: 1, perPage: 20, offset: 0 };
  const { rows } = await listRecords({ db, actor }, customers, { q, sort: 'updated_at', dir: 'desc', filters: {}, deleted: false, page });
  const owners: Array<{ id: number; display_name: string }> = rows.length
    ? await db('users').whereIn('id', [...new Set(rows.map((r) => Number(r.owner_id)))]).select('id', 'display_name')
    : [];
  return rows.map((r) => ({ ...r, owner_name: owners.find((o) => o.id === Number(r.owner_id))?.display_name }));
}
