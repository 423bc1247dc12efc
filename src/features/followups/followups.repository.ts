import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, isTeamScope, ownerScope, scopeIncludesOwner, type OwnerScope } from '../../authz/data-scope.js';
import { countUpTo, insertRow, likePattern, tableThroughIndex } from '../../db/sql.js';
import { COUNT_CAP, impliedTotal, pageOf, SEARCH_COUNT_CAP, type Page, type PageRequest } from '../../shared/pagination.js';
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

/**
 * A follow-up is in scope when its customer is: live, and owned by someone the actor sees. `through`
 * names the index the follow-ups are read by (MySQL), for the walk newest first.
 */
function scopedFollowups(db: Knex, scope: OwnerScope, through?: string): Knex.QueryBuilder {
  const followups = through ? tableThroughIndex(db, 'followups', 'followups', through) : 'followups';
  const query = db.from(followups).join('customers', 'customers.id', 'followups.customer_id').whereNull('customers.deleted_at');
  return applyOwnerScope(query, scope, 'customers.owner_id');
}

/** The follow-ups in scope that the list's filters keep. */
function matchingFollowups(db: Knex, scope: OwnerScope, filters: FollowupListQuery, through?: string): Knex.QueryBuilder {
  const query = scopedFollowups(db, scope, through);
  if (filters.type) query.where('followups.type', filters.type);
  if (filters.q) query.whereRaw(`customers.name like ? escape '!'`, [likePattern(filters.q, 'prefix')]);
  return query;
}

/**
 * The follow-ups of one page, newest first: their ids found first (deferred join), one of two ways,
 * both exact. A team or the whole company walks every follow-up newest first (followups_recent) and
 * keeps those whose customer is in scope: one in five for a region, all of them for the admin, so a
 * page reads a few dozen entries. A rep, or a search by customer name, starts from the few customers
 * in question and sorts their follow-ups (a rep's 25,000 at a million customers, 18 ms), where the
 * walk would pass over 198 of every 199. Asked as one join with every column, MariaDB started from
 * the customers and sorted every follow-up in scope whole: 87 ms for a rep, 3 s for a manager and
 * 14 s for the admin at 5 million follow-ups.
 */
function pageIds(db: Knex, scope: OwnerScope, filters: FollowupListQuery, page: PageRequest): Knex.QueryBuilder {
  const walk = !filters.q && (scope.kind === 'all' || isTeamScope(scope));
  return matchingFollowups(db, scope, filters, walk ? 'followups_recent' : undefined)
    .select('followups.id')
    .orderBy([
      { column: 'followups.occurred_at', order: 'desc' },
      { column: 'followups.id', order: 'desc' },
    ])
    .limit(page.perPage + 1)
    .offset(page.offset);
}

export function followupRepository(db: Knex) {
  return {
    /** Newest first (by when it happened, then by id for the same minute). */
    async list(actor: Actor, filters: FollowupListQuery, page: PageRequest): Promise<Page<FollowupListRow>> {
      const scope = await ownerScope(db, actor);
      const found: Array<FollowupListRow & { opportunity_owner_id: number | null }> = await db('followups')
        .join(pageIds(db, scope, filters, page).as('page_ids'), 'page_ids.id', 'followups.id')
        .join('customers', 'customers.id', 'followups.customer_id')
        .join('users as author', 'author.id', 'followups.created_by')
        .leftJoin('contacts', 'contacts.id', 'followups.contact_id')
        .leftJoin('opportunities', 'opportunities.id', 'followups.opportunity_id')
        .select(
          'followups.*',
          'customers.name as customer_name',
          'contacts.name as contact_name',
          'opportunities.title as opportunity_title',
          'opportunities.owner_id as opportunity_owner_id',
          'author.display_name as author_name',
        )
        .orderBy([
          { column: 'followups.occurred_at', order: 'desc' },
          { column: 'followups.id', order: 'desc' },
        ]);
      // A follow-up in scope (its customer is) may name another owner's opportunity: its title is
      // shown only to those who see that opportunity, as on the customer's timeline.
      const rows: FollowupListRow[] = found.map(({ opportunity_owner_id: owner, ...row }) => ({
        ...row,
        opportunity_title: owner !== null && scopeIncludesOwner(scope, owner) ? row.opportunity_title : null,
      }));
      // A partly filled page proves the total; only a full one counts, up to the cap. A filtered
      // list counts like a search (to 1,000): a manager's visits passed over four in five of the
      // region's follow-ups to count 10,000 of them (88 ms at 5 million).
      const cap = filters.q || filters.type ? SEARCH_COUNT_CAP : COUNT_CAP;
      const counted = impliedTotal(page, rows.length, cap) ?? (await countUpTo(db, matchingFollowups(db, scope, filters), cap + 1));
      return pageOf(rows.slice(0, page.perPage), page, counted, rows.length > page.perPage, cap);
    },

    /** The contacts a follow-up of this customer may name (the caller found the customer in scope). */
    contactChoices(customerId: number): Promise<Array<{ id: number; name: string; title: string | null }>> {
      return db('contacts').where('customer_id', customerId).orderBy([{ column: 'name' }, { column: 'id' }]).select('id', 'name', 'title');
    },

    /** The customer's opportunities that are not deleted and that the actor may open. */
    async opportunityChoices(actor: Actor, customerId: number): Promise<Array<{ id: number; title: string }>> {
      const scope = await ownerScope(db, actor);
      return applyOwnerScope(db('opportunities'), scope, 'opportunities.owner_id')
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
      nextFollowUpAt: string | null | undefined,
      now: string,
    ): Promise<number> {
      return trx('customers')
        .where('id', customerId)
        .update({
          last_contact_at: trx.raw('case when last_contact_at is null or last_contact_at < ? then ? else last_contact_at end', [
            occurredAt,
            occurredAt,
          ]),
          ...(nextFollowUpAt === undefined ? {} : { next_follow_up_at: nextFollowUpAt }),
          updated_at: now,
        });
    },
  };
}
