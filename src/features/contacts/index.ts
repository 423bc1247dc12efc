import type { Knex } from 'knex';

export { contacts } from './contacts.entity.js';
export { contactRoutes } from './contacts.routes.js';

export type CustomerContact = { id: number; name: string; title: string | null; phone: string | null; email: string | null; wechat: string | null; is_key_decision_maker: number | boolean };

/** The contacts of one customer the caller has already found in scope (the customer page, pickers). */
export async function contactsOfCustomer(db: Knex, customerId: number): Promise<CustomerContact[]> {
  return db('contacts')
    .where('customer_id', customerId)
    .orderBy([{ column: 'is_key_decision_maker', order: 'desc' }, { column: 'name' }, { column: 'id' }])
    .select('id', 'name', 'title', 'phone', 'email', 'wechat', 'is_key_decision_maker');
}
