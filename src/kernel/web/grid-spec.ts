import type { Knex } from 'knex';
import type { Permission } from '../../authz/permissions.js';
import type { Page } from '../../shared/pagination.js';
import type { Row } from '../entity/define-entity.js';
import type { Field } from '../entity/fields.js';
import type { ViewContext } from '../entity/view-context.js';
import type { ListQuery } from '../data/list-query.js';
import type { ReadCtx } from '../data/repository.js';
import type { ResolvedScope } from '../data/scope.js';

// What a list page declares: its columns, the sorts it allows (each an indexed column, so no sort
// is a full scan by accident), its filters. The grid reads the query string against this whitelist.

export type Column = {
  key: string;
  /** Defaults to the entity's field label. */
  labelKey?: string;
  /** A column read from a joined parent (`customers.owner_id`), shown through `field`. */
  select?: string;
  field?: Field;
  /** Sort key this column's header switches to. */
  sort?: string;
  /** A cell made from the whole row (a state shown as badges) instead of one field's value. */
  cell?: (row: Row, c: ViewContext) => Cell;
};

export type Cell = { text: string; href?: string; badge?: 'success' | 'secondary'; test?: string; badges?: Array<{ text: string; tone: string; test: string }> };

export type FilterSpec =
  /** `default`: the list always shows one value's records (the first tab) rather than all. */
  | { kind: 'enum'; column: string; values: readonly string[]; labelPrefix: string; default?: string }
  /** ?<name>_from=YYYY-MM-DD&<name>_to=YYYY-MM-DD, whole days in the reader's time zone. */
  | { kind: 'dayRange'; column: string; dateTime: boolean }
  /** "Mine / everyone I see": offered to actors with a team. */
  | { kind: 'mine'; column: string }
  /** A dictionary's values. */
  | { kind: 'dict'; column: string; dictType: string }
  /** One of the owners the actor sees: offered to actors with a team, or to those holding `permission`. */
  | { kind: 'owner'; column: string; permission?: Permission }
  /** ?<name>=yes|no on a true/false column. */
  | { kind: 'boolean'; column: string }
  /** ?<name>=<id> of a record the select offers; `within` widens it (a category and the ones below it). */
  | { kind: 'ref'; column: string; options(db: Knex, locale: string): Promise<Array<{ value: string; label: string }>>; within?(db: Knex, id: number): Promise<number[]> }
  /** A state that is not one column's value ("locked": a lock that has not run out), one condition per value. */
  | { kind: 'conditions'; conditions: Record<string, (query: Knex.QueryBuilder) => void>; labelPrefix: string };

/** A hand-written read for a list the generic one cannot serve fast enough; it gets the resolved scope. */
export type ReadPlan = (c: ReadCtx, query: ListQuery, scope: ResolvedScope) => Promise<Page<Row>>;

export type GridSpec = {
  columns: Array<string | Column>;
  sorts: Record<string, string>;
  defaultSort: string;
  defaultDir: 'asc' | 'desc';
  filters?: Record<string, FilterSpec>;
  plan?: ReadPlan;
  /** Other pages of the same object beside "new" (a route name and its label), for those the route admits. */
  links?: Array<{ route: string; labelKey: string }>;
  /** The table's data-test, when the pages' tests know it by another name than `<plural>-table`. */
  tableTest?: string;
  /** A row's data-test, where tests and journeys find a record by its code. */
  rowTest?: (row: Row) => string;
};
