import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, ownerScope, type OwnerScope } from '../../authz/data-scope.js';
import { insertRow, likePattern } from '../../db/sql.js';
import { COUNT_CAP, pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import type { FollowupListQuery } from './followups.schema.js';

export type FollowupRow = {
  id: number;
  customer_id: number;
  contact_id: number | null;
  opportunity_id: number | null;
  type: string;
  occurred_at: string;
  content: string;
  next_follow_up_at: string | null;
  next_action: string | null;
  created_by: number;
  created_at: string;
  updated_at: string;
};

export type FollowupListRow = FollowupRow & {
  customer_name: string;
  contact_name: string | null;
  opportunity_title: string | null;
  author_name: string;
};

/** A follow-up is in scope when its customer is: live, and owned by someone the actor sees. */
function scopedFollowups(db: Knex, scope: OwnerScope): Knex.QueryBuilder {
  const query = db('followups').join('customers', 'customers.id', 'followups.customer_id').whereNull('customers.deleted_at');
  return applyOwnerScope(query, scope, 'customers.owner_id');
}

function applyFilters(query: Knex.QueryBuilder, filters: FollowupListQuery): void {
  if (filters.type) query.where('followups.type', filters.type);
  if (filters.q) query.whereRaw(`customers.name like ? escape '!'`, [likePattern(filters.q, 'prefix')]);
}

export function followupRepository(db: Knex) {
  return {
    /** Newest first (by when it happened, then by id for the same minute). */
    async list(actor: Actor, filters: FollowupListQuery, page: PageRequest): Promise<Page<FollowupListRow>> {
      const scope = await ownerScope(db, actor);
      const query = scopedFollowups(db, scope)
        .join('users as author', 'author.id', 'followups.created_by')
        .leftJoin('contacts', 'contacts.id', 'followups.contact_id')
        .leftJoin('opportunities', 'opportunities.id', 'followups.opportunity_id');
      applyFilters(query, filters);
      const rows: FollowupListRow[] = await query
        .select(
          'followups.*',
          'customers.name as customer_name',
          'contacts.name as contact_name',
          'opportunities.title as opportunity_title',
          'author.display_name as author_name',
        )
        .orderBy([
          { column: 'followups.occurred_at', order: 'desc' },
          { column: 'followups.id', order: 'desc' },
        ])
        .limit(page.perPage + 1)
        .offset(page.offset);
      const counting = scopedFollowups(db, scope).select(db.raw('1')).limit(COUNT_CAP + 1);
      applyFilters(counting, filters);
      const counted = await db.from(counting.as('capped')).count({ n: '*' }).first();
      return pageOf(rows.slice(0, page.perPage), page, Number(counted?.n ?? 0), rows.length > page.perPage);
    },

    /** The contacts a follow-up of this customer may name (the caller found the customer in scope). */
    contactChoices(customerId: number): Promise<Array<{ id: number; name: string; title: string | null }>> {
      return db('contacts').where('customer_id', customerId).orderBy([{ column: 'name' }, { column: 'id' }]).select('id', 'name', 'title');
    },

    /** The customer's opportunities that are not deleted. */
    opportunityChoices(customerId: number): Promise<Array<{ id: number; title: string }>> {
      return db('opportunities')
        .where('customer_id', customerId)
        .whereNull('deleted_at')
        .orderBy('id', 'desc')
        .select('id', 'title');
    },

    insert: (trx: Knex.Transaction, row: Omit<FollowupRow, 'id'>): Promise<number> => insertRow(trx, 'followups', row),

    /**
     * What a new follow-up tells the customer record: last contact becomes the later of the stored
     * value and this one (an older call logged late does not move it back), the next follow-up is this
     * one's (none clears it). updated_at moves; version does not, so an open edit form stays valid.
     */
    async touchCustomer(
      trx: Knex.Transaction,
      customerId: number,
      occurredAt: string,
      nextFollowUpAt: string | null,
      now: string,
    ): Promise<number> {
      return trx('customers')
        .where('id', customerId)
        .update({
          last_contact_at: trx.raw('case when last_contact_at is null or last_contact_at < ? then ? else last_contact_at end', [
            occurredAt,
            occurredAt,
          ]),
          next_follow_up_at: nextFollowUpAt,
          updated_at: now,
        });
    },
  };
}
