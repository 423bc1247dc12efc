import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope, type OwnerScope } from '../../authz/data-scope.js';
import { countUpTo, insertRow, likePattern } from '../../db/sql.js';
import { COUNT_CAP, pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import type { ContactListQuery, SortColumn } from './contacts.schema.js';

export type ContactRow = {
  id: number;
  customer_id: number;
  name: string;
  title: string | null;
  phone: string | null;
  email: string | null;
  wechat: string | null;
  is_key_decision_maker: number | boolean;
  birthday: string | null;
  remark: string | null;
  created_by: number;
  version: number;
  created_at: string;
  updated_at: string;
};

export type ContactDetail = ContactRow & { customer_name: string; customer_owner_id: number; creator_name: string };
export type ContactListRow = ContactRow & { customer_name: string; owner_name: string };

// created_at follows id, so "newest first" is read in primary-key order.
const sortColumn: Record<SortColumn, string> = {
  name: 'contacts.name',
  customer: 'customers.name',
  updated_at: 'contacts.updated_at',
  created_at: 'contacts.id',
};

/**
 * A contact has no owner of its own: it is in scope when its customer is (live, and owned by
 * someone the actor sees). Every query below starts from this join.
 */
function scopedContacts(db: Knex, scope: OwnerScope): Knex.QueryBuilder {
  const query = db('contacts').join('customers', 'customers.id', 'contacts.customer_id').whereNull('customers.deleted_at');
  return applyOwnerScope(query, scope, 'customers.owner_id');
}

/** Ids of the customers in scope, for UPDATE/DELETE statements that cannot join. */
function customerIdsInScope(db: Knex, scope: OwnerScope): Knex.QueryBuilder {
  return applyOwnerScope(db('customers').whereNull('deleted_at').select('id'), scope, 'owner_id');
}

// Digits look up the phone, anything else the name; both by prefix, each from its own index.
function applySearch(query: Knex.QueryBuilder, q: string | undefined): void {
  if (!q) return;
  const pattern = likePattern(q, 'prefix');
  const column = /^[\d+\-() ]{3,}$/.test(q) ? 'contacts.phone' : 'contacts.name';
  query.whereRaw(`${column} like ? escape '!'`, [pattern]);
}

export function contactRepository(db: Knex) {
  return {
    async list(actor: Actor, filters: ContactListQuery, page: PageRequest): Promise<Page<ContactListRow>> {
      const scope = await ownerScope(db, actor);
      const column = sortColumn[filters.sort];
      const query = scopedContacts(db, scope).join('users as owner', 'owner.id', 'customers.owner_id');
      applySearch(query, filters.q);
      const rows: ContactListRow[] = await query
        .select('contacts.*', 'customers.name as customer_name', 'owner.display_name as owner_name')
        .orderBy([
          { column, order: filters.dir },
          { column: 'contacts.id', order: filters.dir },
        ])
        .limit(page.perPage + 1)
        .offset(page.offset);
      const counting = scopedContacts(db, scope);
      applySearch(counting, filters.q);
      const counted = await countUpTo(db, counting, COUNT_CAP + 1);
      return pageOf(rows.slice(0, page.perPage), page, counted, rows.length > page.perPage);
    },

    async findById(actor: Actor, id: number): Promise<ContactDetail | undefined> {
      const scope = await ownerScope(db, actor);
      return scopedContacts(db, scope)
        .join('users as creator', 'creator.id', 'contacts.created_by')
        .where('contacts.id', id)
        .first(
          'contacts.*',
          'customers.name as customer_name',
          'customers.owner_id as customer_owner_id',
          'creator.display_name as creator_name',
        );
    },

    /** The contacts of one customer the caller has already found in scope (the customer page, pickers). */
    async ofCustomer(customerId: number, trx: Knex = db): Promise<ContactRow[]> {
      return trx('contacts')
        .where('customer_id', customerId)
        .orderBy([{ column: 'is_key_decision_maker', order: 'desc' }, { column: 'name' }, { column: 'id' }])
        .select('*');
    },

    /** Does another contact of this customer already have the phone? */
    async phoneTaken(customerId: number, phone: string, exceptId?: number): Promise<boolean> {
      const query = db('contacts').where({ customer_id: customerId, phone });
      if (exceptId) query.whereNot('id', exceptId);
      return !!(await query.first('id'));
    },

    insert: (trx: Knex.Transaction, row: Omit<ContactRow, 'id'>): Promise<number> => insertRow(trx, 'contacts', row),

    /** Writes only if the version still matches and the customer is in scope; 0 means someone else saved first. */
    async updateIfVersion(
      trx: Knex.Transaction,
      actor: Actor,
      id: number,
      version: number,
      changes: Partial<ContactRow>,
    ): Promise<number> {
      // Inside the transaction: SQLite has one connection, and it is the transaction's.
      const scope = await ownerScope(trx, actor);
      return trx('contacts')
        .where({ id, version })
        .whereIn('customer_id', customerIdsInScope(trx, scope))
        .update({ ...changes, version: version + 1 });
    },

    async deleteIfVersion(trx: Knex.Transaction, actor: Actor, id: number, version: number): Promise<number> {
      const scope = await ownerScope(trx, actor);
      return trx('contacts').where({ id, version }).whereIn('customer_id', customerIdsInScope(trx, scope)).delete();
    },
  };
}

export type ContactRepository = ReturnType<typeof contactRepository>;
