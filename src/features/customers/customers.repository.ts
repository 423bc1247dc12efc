import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, customersAlongBranch, isTeamScope, ownerScope, withinBranch, type OwnerScope } from '../../authz/data-scope.js';
import { isMysql } from '../../db/schema-helpers.js';
import { countUpTo, insertRow, likePattern, tableThroughIndex } from '../../db/sql.js';
import { COUNT_CAP, impliedTotal, pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import { liveCustomerCount } from './customer-counts.js';
import type { CustomerListQuery, SortColumn } from './customers.schema.js';

export type CustomerRow = {
  id: number;
  kind: string;
  name: string;
  company: string | null;
  phone: string | null;
  email: string | null;
  industry: string | null;
  source: string | null;
  level: string | null;
  status: string;
  region: string | null;
  address: string | null;
  remark: string | null;
  owner_id: number;
  /** The owner's top-level department (0: none), kept with owner_id: see withinBranch. */
  owner_branch_id: number;
  created_by: number;
  last_contact_at: string | null;
  next_follow_up_at: string | null;
  version: number;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
};

export type CustomerListRow = CustomerRow & { owner_name: string };
export type CustomerDetail = CustomerRow & { owner_name: string; creator_name: string };

// created_at follows id, so "newest first" is read in primary-key order.
const sortColumn: Record<SortColumn, string> = {
  name: 'name',
  status: 'status',
  level: 'level',
  last_contact_at: 'last_contact_at',
  next_follow_up_at: 'next_follow_up_at',
  updated_at: 'updated_at',
  created_at: 'id',
};

type Condition = (query: Knex.QueryBuilder) => void;

// The search box matches by prefix, which MySQL answers from an index at a million rows: digits
// look up the phone, an "@" the e-mail, anything else the name or the company.
function searchConditions(q: string | undefined): Condition[] {
  if (!q) return [];
  const pattern = likePattern(q, 'prefix');
  const like = (column: string): Condition => (query) => query.whereRaw(`${column} like ? escape '!'`, [pattern]);
  if (/^[\d+\-() ]{3,}$/.test(q)) return [like('phone')];
  if (q.includes('@')) return [like('email')];
  return [like('name'), like('company')];
}

/**
 * The conditions of a name search taken apart: the name matches, the company matches whose name does
 * not match (so |name ∪ company| = |names| + |companies only|, each counted inside its own index),
 * and both at once, tested row by row on a walk in updated_at order.
 */
type NameSearchParts = { names: Condition; companiesOnly: Condition; either: Condition };

function nameSearchParts(q: string): NameSearchParts {
  const pattern = likePattern(q, 'prefix');
  return {
    names: (query) => query.whereRaw(`name like ? escape '!'`, [pattern]),
    companiesOnly: (query) => query.whereRaw(`company like ? escape '!'`, [pattern]).whereRaw(`name not like ? escape '!'`, [pattern]),
    either: (query) => query.where((w) => w.whereRaw(`name like ? escape '!'`, [pattern]).orWhereRaw(`company like ? escape '!'`, [pattern])),
  };
}

/**
 * How many name matches make a name search cheaper read in updated_at order, testing each row's name
 * and company, than sorted whole. The walk reads about scope / matches rows per match it shows (a
 * primary-key read each); the sort reads every match's index entry, and a primary-key read costs
 * about three index entries: walking wins from sqrt(3 × rows to show × scope) matches. A surname
 * alone matched 41,666 of a million customers: sorting them cost the admin 83 ms of SQL, the walk
 * reads 24 rows a match.
 */
function matchesWorthWalking(scopeSize: number, page: PageRequest): number {
  return Math.ceil(Math.sqrt(3 * (page.offset + page.perPage + 1) * scopeSize));
}

/** The list of live customers narrowed by nothing but, perhaps, their owner. */
function isWholeList(filters: CustomerListQuery): boolean {
  return !filters.q && !filters.status && !filters.level && !filters.source && !filters.deleted;
}

export function customerRepository(db: Knex) {
  /** Customers the actor may see; every query below starts here. */
  function scoped(scope: OwnerScope, trx: Knex = db): Knex.QueryBuilder {
    return applyOwnerScope(trx('customers'), scope, 'customers.owner_id');
  }

  function filtered(scope: OwnerScope, filters: CustomerListQuery, condition?: Condition): Knex.QueryBuilder {
    return withFilters(scoped(scope), filters, condition);
  }

  function withFilters(query: Knex.QueryBuilder, filters: CustomerListQuery, condition?: Condition): Knex.QueryBuilder {
    if (filters.deleted) query.whereNotNull('deleted_at');
    else query.whereNull('deleted_at');
    condition?.(query);
    if (filters.status) query.where('status', filters.status);
    if (filters.level) query.where('level', filters.level);
    if (filters.source) query.where('source', filters.source);
    if (filters.owner_id) query.where('owner_id', filters.owner_id);
    return query;
  }

  /**
   * The customers matching the filters, to select ids from and order by `sortBy`. A name search
   * matches the name OR the company; asked as one OR, MySQL walks the sort index reading whole rows
   * until it has a page (190 ms for a rare prefix at a million rows). Asked as one query per column,
   * each answered inside its own index, then combined with UNION, it costs about 2 ms.
   */
  function matching(scope: OwnerScope, filters: CustomerListQuery, sortBy: string): Knex.QueryBuilder {
    const conditions = searchConditions(filters.q);
    if (conditions.length === 0 && sortBy === 'updated_at') return alongBranch(scope, filters) ?? withinBranch(filtered(scope, filters), scope);
    if (conditions.length <= 1) return filtered(scope, filters, conditions[0]);
    const columns = sortBy === 'id' ? ['id'] : ['id', sortBy];
    const [first, ...rest] = conditions.map((condition) => filtered(scope, filters, condition).select(columns));
    return db.from(first.union(rest).as('matches'));
  }

  /**
   * A team's whole list, paged in updated_at order, along its branch's one index range. The
   * optimizer does pick that index, after weighing the 40 owners against all fifteen indexes of the
   * table (1.14 ms at a million customers; 0.89 told which). So MySQL gets an index hint (see
   * tableThroughIndex; SQLite has no need).
   */
  function alongBranch(scope: OwnerScope, filters: CustomerListQuery): Knex.QueryBuilder | undefined {
    if (!isMysql(db) || !isWholeList(filters) || filters.owner_id || scope.kind !== 'owners' || scope.branchId === undefined) return undefined;
    return withFilters(customersAlongBranch(db.from(tableThroughIndex(db, 'customers', 'customers', 'customers_branch_updated_at')), scope), filters);
  }

  /**
   * A name search walked in updated_at order along the scope's own index (the admin's or the
   * branch's), each row's name and company tested: named on MySQL, which would otherwise merge
   * the two prefix ranges and sort them, the very cost this walk avoids.
   */
  function nameSearchInOrder(scope: OwnerScope, filters: CustomerListQuery, either: Condition): Knex.QueryBuilder {
    const index = scope.kind === 'all' ? 'customers_all_updated_at' : 'customers_branch_updated_at';
    return withFilters(customersAlongBranch(db.from(tableThroughIndex(db, 'customers', 'customers', index)), scope), filters, either);
  }

  /** A name search's matches, counted up to the cap: the names, plus the companies whose name does not match. */
  async function countNameSearch(scope: OwnerScope, filters: CustomerListQuery, parts: NameSearchParts): Promise<number> {
    const counts = await Promise.all([parts.names, parts.companiesOnly].map((condition) => countUpTo(db, filtered(scope, filters, condition), COUNT_CAP + 1)));
    return Math.min(counts[0] + counts[1], COUNT_CAP + 1);
  }

  /**
   * A name search in a team's or the whole company's customers, in the default order, whose names
   * match often enough that walking in order beats sorting them (matchesWorthWalking): probed in the
   * name index only that far, so a rarer prefix costs a short count before its sort. Undefined when
   * the search is sorted; else its capped total.
   */
  async function walkedSearchTotal(scope: OwnerScope, filters: CustomerListQuery, parts: NameSearchParts, page: PageRequest): Promise<number | undefined> {
    const enough = matchesWorthWalking(await liveCustomerCount(db, scope), page);
    if (enough > COUNT_CAP || (await countUpTo(db, filtered(scope, filters, parts.names), enough)) < enough) return undefined;
    return countNameSearch(scope, filters, parts);
  }

  /** A filtered list's matches, counted up to the cap (the whole list's total is the summary's). */
  function countUpToCap(scope: OwnerScope, filters: CustomerListQuery): Promise<number> {
    return countUpTo(db, matching(scope, filters, 'id'), COUNT_CAP + 1);
  }

  return {
    async list(actor: Actor, filters: CustomerListQuery, page: PageRequest): Promise<Page<CustomerListRow>> {
      const scope = await ownerScope(db, actor);
      // The whole list (or one owner's part of it) is counted by the summary first: a page past its
      // end is known to be empty without walking the index up to it.
      const live = isWholeList(filters) ? await liveCustomerCount(db, scope, filters.owner_id) : undefined;
      if (live !== undefined && page.offset >= live) return pageOf([], page, live, false);
      const column = sortColumn[filters.sort];
      const isNameSearch = searchConditions(filters.q).length > 1;
      // A large scope's name search may be walked in order (a surname alone); a team is walked along
      // its branch's index, and one without a branch has no index in that order.
      const bigScope = scope.kind === 'all' || (isTeamScope(scope) && scope.branchId !== undefined);
      const parts = filters.q && isNameSearch && column === 'updated_at' && !filters.owner_id && bigScope ? nameSearchParts(filters.q) : undefined;
      const counted = parts && (await walkedSearchTotal(scope, filters, parts, page));
      // Deferred join: find the page's ids in index order first, then read only those rows, so a
      // deep page costs an index walk rather than reading and discarding whole rows.
      // A name search sorts every match anyway (the UNION of two prefix ranges is built whole
      // before it is ordered), so the same statement counts them: a second walk of both ranges
      // cost as much again (2.6 ms for a manager's team at a million customers).
      const countsMatches = counted === undefined && isNameSearch;
      const ids = (parts && counted !== undefined ? nameSearchInOrder(scope, filters, parts.either) : matching(scope, filters, column))
        .select(countsMatches ? ['id', db.raw('count(*) over () as matched')] : ['id'])
        .orderBy([
          { column, order: filters.dir },
          { column: 'id', order: filters.dir },
        ])
        .limit(page.perPage + 1)
        .offset(page.offset)
        .as('page_ids');
      const found: Array<CustomerListRow & { matched?: number | string }> = await db('customers as c')
        .join(ids, 'page_ids.id', 'c.id')
        .join('users as u', 'u.id', 'c.owner_id')
        .select('c.*', 'u.display_name as owner_name', ...(countsMatches ? ['page_ids.matched'] : []))
        .orderBy([
          { column: `c.${column}`, order: filters.dir },
          { column: 'c.id', order: filters.dir },
        ]);
      const matched = found.length > 0 && countsMatches ? Math.min(Number(found[0].matched), COUNT_CAP + 1) : undefined;
      const rows: CustomerListRow[] = found.map(({ matched: _matched, ...row }) => row);
      // Most pages prove their total (a last page, a page past the cap): only the others count.
      const total = live ?? counted ?? impliedTotal(page, rows.length) ?? matched ?? (await countUpToCap(scope, filters));
      const hasNext = rows.length > page.perPage;
      return pageOf(rows.slice(0, page.perPage), page, total, hasNext);
    },

    /** A customer in the actor's scope; deleted ones only when asked for (the restore page). */
    async findById(actor: Actor, id: number, options: { includeDeleted?: boolean } = {}): Promise<CustomerDetail | undefined> {
      const scope = await ownerScope(db, actor);
      const query = scoped(scope)
        .join('users as owner', 'owner.id', 'customers.owner_id')
        .join('users as creator', 'creator.id', 'customers.created_by')
        .where('customers.id', id)
        .first('customers.*', 'owner.display_name as owner_name', 'creator.display_name as creator_name');
      if (!options.includeDeleted) query.whereNull('customers.deleted_at');
      return query;
    },

    /** Live customers in scope sharing a phone or e-mail: the possible duplicates shown before a save. */
    async findPossibleDuplicates(
      actor: Actor,
      contact: { phone: string | null; email: string | null },
    ): Promise<CustomerListRow[]> {
      if (!contact.phone && !contact.email) return [];
      const scope = await ownerScope(db, actor);
      return scoped(scope)
        .join('users as u', 'u.id', 'customers.owner_id')
        .whereNull('customers.deleted_at')
        .where((w) => {
          if (contact.phone) w.orWhere('customers.phone', contact.phone);
          if (contact.email) w.orWhere('customers.email', contact.email);
        })
        .orderBy('customers.id')
        .limit(10)
        .select('customers.*', 'u.display_name as owner_name');
    },

    async insert(trx: Knex.Transaction, row: Omit<CustomerRow, 'id'>): Promise<number> {
      return insertRow(trx, 'customers', row);
    },

    /** Writes only if the version still matches and the row is in scope; 0 means someone else saved first. */
    async updateIfVersion(
      trx: Knex.Transaction,
      actor: Actor,
      id: number,
      version: number,
      changes: Partial<CustomerRow>,
    ): Promise<number> {
      // Inside the transaction: SQLite has one connection, and it is the transaction's.
      const scope = await ownerScope(trx, actor);
      return scoped(scope, trx)
        .where({ id, version })
        .update({ ...changes, version: version + 1 });
    },
  };
}

export type CustomerRepository = ReturnType<typeof customerRepository>;
