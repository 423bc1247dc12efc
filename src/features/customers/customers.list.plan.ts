import type { Knex } from 'knex';
import { applyOwnerScope, customersAlongBranch, isTeamScope, scopedWalk, withinBranch, type OwnerScope } from '../../authz/data-scope.js';
import { isMysql } from '../../db/schema-helpers.js';
import { cachedReference } from '../../db/reference-cache.js';
import { countUpTo, estimatedRows, likePattern, tableThroughIndex } from '../../db/sql.js';
import type { ListQuery } from '../../kernel/data/list-query.js';
import type { ReadCtx } from '../../kernel/data/repository.js';
import type { ResolvedScope } from '../../kernel/data/scope.js';
import type { Row } from '../../kernel/entity/define-entity.js';
import { COUNT_CAP, impliedTotal, pageOf, SEARCH_COUNT_CAP, type Page, type PageRequest } from '../../shared/pagination.js';
import { liveCustomerCount } from './customer-counts.js';

// The customer list's read plan: a million customers, every sort and search answered from an index
// chosen here (the list the benchmark drives). The kernel's grid hands it the resolved scope.

type SortColumn = 'name' | 'status' | 'level' | 'last_contact_at' | 'next_follow_up_at' | 'updated_at' | 'created_at';

/** The list's query as this plan reads it. */
type CustomerListQuery = {
  q?: string;
  status?: string;
  level?: string;
  source?: string;
  owner_id?: number;
  deleted: boolean;
  sort: SortColumn;
  dir: 'asc' | 'desc';
};

function customerQuery(lq: ListQuery): CustomerListQuery {
  const { status, level, source, owner_id } = lq.filters;
  return { q: lq.q, status, level, source, owner_id: owner_id ? Number(owner_id) : undefined, deleted: lq.deleted, sort: lq.sort as SortColumn, dir: lq.dir };
}

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

/**
 * The company-wide index that reads customers in a sort column's order (deleted_at and owner_id in
 * it, so a walk tests both inside the index). A team's list sorted by it walks it: past the dive
 * limit, MariaDB instead read the team's 200,000 customers and sorted them (a manager's list by
 * name 96 ms, by last contact 57 ms at a million customers; walked, 0.5 and 0.2 ms).
 */
const teamSortIndex: Partial<Record<string, string>> = {
  name: 'customers_all_name',
  status: 'customers_all_status',
  last_contact_at: 'customers_all_last_contact_at',
  next_follow_up_at: 'customers_all_next_follow_up_at',
};

/**
 * A condition on customers, and the owner-first index a team's search reads it through: past the
 * dive limit MariaDB does not estimate a team's 40 owners one by one, and chose to read the whole
 * team's customers through another owner-first index to test each one (a manager's search for 北京
 * at a million customers: 637 ms to count the names, 951 ms the companies; 10 ms through the
 * index named). A rep's one owner and the admin's whole table are planned well.
 */
type Condition = { where: (query: Knex.QueryBuilder) => void; teamIndex?: string };

const TEAM_INDEX_OF: Record<string, string> = { name: 'customers_owner_name', company: 'customers_owner_company' };

/** `column like pattern`, as a Condition. */
function like(column: string, pattern: string): Condition {
  return { where: (query) => query.whereRaw(`${column} like ? escape '!'`, [pattern]), teamIndex: TEAM_INDEX_OF[column] };
}

// The search box matches by prefix, which MySQL answers from an index at a million rows: digits
// look up the phone, an "@" the e-mail, anything else the name or the company.
function searchConditions(q: string | undefined): Condition[] {
  if (!q) return [];
  const pattern = likePattern(q, 'prefix');
  if (/^[\d+\-() ]{3,}$/.test(q)) return [like('phone', pattern)];
  if (q.includes('@')) return [like('email', pattern)];
  return [like('name', pattern), like('company', pattern)];
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
    names: like('name', pattern),
    companiesOnly: {
      where: (query) => query.whereRaw(`company like ? escape '!'`, [pattern]).whereRaw(`name not like ? escape '!'`, [pattern]),
      teamIndex: TEAM_INDEX_OF.company,
    },
    either: { where: (query) => query.where((w) => w.whereRaw(`name like ? escape '!'`, [pattern]).orWhereRaw(`company like ? escape '!'`, [pattern])) },
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

/** The plan's queries, on one database. */
function planOn(db: Knex) {
  /** Customers the actor may see; every query below starts here. */
  function scoped(scope: OwnerScope, trx: Knex = db): Knex.QueryBuilder {
    return applyOwnerScope(trx('customers'), scope, 'customers.owner_id');
  }

  function filtered(scope: OwnerScope, filters: CustomerListQuery, condition?: Condition): Knex.QueryBuilder {
    const from = condition?.teamIndex ? scopedWalk(db, scope, 'customers', 'customers', condition.teamIndex) : scoped(scope);
    return withFilters(from, filters, condition);
  }

  function withFilters(query: Knex.QueryBuilder, filters: CustomerListQuery, condition?: Condition): Knex.QueryBuilder {
    if (filters.deleted) query.whereNotNull('deleted_at');
    else query.whereNull('deleted_at');
    condition?.where(query);
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
    // One rep picked from the team is better planned by the optimizer, from that rep's own ranges.
    const sortIndex = filters.owner_id ? undefined : teamSortIndex[sortBy];
    if (conditions.length === 0 && sortIndex) return withFilters(scopedWalk(db, scope, 'customers', 'customers', sortIndex), filters);
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

  /**
   * A name search's matches, counted up to the search's cap: the names, plus (while under it) the
   * companies whose name does not match. Past the cap the companies change nothing, and counting
   * them is dear when they are also the names (a city that starts many company names, 北京: each
   * company match's row is read to test its name, 225 ms for the admin at a million customers).
   */
  async function countNameSearch(scope: OwnerScope, filters: CustomerListQuery, parts: NameSearchParts): Promise<number> {
    const names = await countUpTo(db, filtered(scope, filters, parts.names), SEARCH_COUNT_CAP + 1);
    if (names > SEARCH_COUNT_CAP) return names;
    return names + (await countUpTo(db, filtered(scope, filters, parts.companiesOnly), SEARCH_COUNT_CAP + 1 - names));
  }

  /**
   * Whether a name search has at least `enough` name matches in a scope of `scopeSize` customers.
   * Counting them reads every name index entry up to `enough`: 2-3 ms for a two-character prefix's
   * 2,600 names at a million customers, 7 ms to learn that a surname is common. On MySQL the
   * optimizer's estimate of the prefix's range in the company-wide name index (one index dive,
   * 0.3 ms), scaled to the scope's share of the company, decides instead. It is off by a factor of
   * two or so, which only moves the point where one exact plan is chosen over the other. Another
   * filter (status, level, source) is only known by counting.
   */
  async function namesReach(scope: OwnerScope, filters: CustomerListQuery, parts: NameSearchParts, scopeSize: number, enough: number): Promise<boolean> {
    if (isWholeList({ ...filters, q: undefined })) {
      const inCompany = withFilters(db.from(tableThroughIndex(db, 'customers', 'customers', 'customers_all_name')), filters, parts.names);
      const estimate = await estimatedRows(db, inCompany.select(db.raw('1')));
      if (estimate !== undefined) {
        // The company's size only scales an estimate: this instance's few-seconds-old copy will do.
        const company = scope.kind === 'all' ? scopeSize : await cachedReference(db, 'customers:live', () => liveCustomerCount(db, { kind: 'all' }));
        return company > 0 && (estimate * scopeSize) / company >= enough;
      }
    }
    return (await countUpTo(db, filtered(scope, filters, parts.names), enough)) >= enough;
  }

  /**
   * A name search in a team's or the whole company's customers, in the default order, whose names
   * match often enough that walking in order beats sorting them (matchesWorthWalking, namesReach).
   * Undefined when the search is sorted; else its capped total.
   */
  async function walkedSearchTotal(scope: OwnerScope, filters: CustomerListQuery, parts: NameSearchParts, page: PageRequest): Promise<number | undefined> {
    const scopeSize = await liveCustomerCount(db, scope);
    const enough = matchesWorthWalking(scopeSize, page);
    if (enough > COUNT_CAP || !(await namesReach(scope, filters, parts, scopeSize, enough))) return undefined;
    return countNameSearch(scope, filters, parts);
  }

  /** A filtered list's matches, counted up to `cap` (the whole list's total is the summary's). */
  function countUpToCap(scope: OwnerScope, filters: CustomerListQuery, cap: number): Promise<number> {
    return countUpTo(db, matching(scope, filters, 'id'), cap + 1);
  }


  return { matching, nameSearchInOrder, walkedSearchTotal, countUpToCap };
}

export async function customerListPlan(c: ReadCtx, lq: ListQuery, resolved: ResolvedScope): Promise<Page<Row>> {
  const { db } = c;
  const { matching, nameSearchInOrder, walkedSearchTotal, countUpToCap } = planOn(db);
  const scope = resolved.owner;
  const filters = customerQuery(lq);
  const page = lq.page;
  // The whole list (or one owner's part of it) is counted by the summary first: a page past its
  // end is known to be empty without walking the index up to it.
  const live = isWholeList(filters) ? await liveCustomerCount(db, scope, filters.owner_id) : undefined;
  if (live !== undefined && page.offset >= live) return pageOf([], page, live, false);
  const column = sortColumn[filters.sort];
  // A search or a filtered list counts its matches to 1,000: a manager's level and source filter
  // read 268 ms of index entries to count 10,000 of them, 26 ms to count 1,000. The whole
  // list's total comes from the summary.
  const cap = isWholeList(filters) ? COUNT_CAP : SEARCH_COUNT_CAP;
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
  const found: Array<Row & { matched?: number | string }> = await db('customers as c')
    .join(ids, 'page_ids.id', 'c.id')
    .select('c.*', ...(countsMatches ? ['page_ids.matched'] : []))
    .orderBy([
      { column: `c.${column}`, order: filters.dir },
      { column: 'c.id', order: filters.dir },
    ]);
  const matched = found.length > 0 && countsMatches ? Math.min(Number(found[0].matched), cap + 1) : undefined;
  const rows = found.map(({ matched: _matched, ...row }) => row as Row);
  // Most pages prove their total (a last page, a page past the cap): only the others count.
  const total = live ?? counted ?? impliedTotal(page, rows.length, cap) ?? matched ?? (await countUpToCap(scope, filters, cap));
  const hasNext = rows.length > page.perPage;
  return pageOf(rows.slice(0, page.perPage), page, total, hasNext, cap);
}
