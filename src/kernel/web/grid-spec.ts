import type { Field } from '../entity/fields.js';

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
};

export type FilterSpec =
  | { kind: 'enum'; column: string; values: readonly string[]; labelPrefix: string }
  /** ?<name>_from=YYYY-MM-DD&<name>_to=YYYY-MM-DD, whole days in the reader's time zone. */
  | { kind: 'dayRange'; column: string; dateTime: boolean }
  /** "Mine / everyone I see": offered to actors with a team. */
  | { kind: 'mine'; column: string };

export type GridSpec = {
  columns: Array<string | Column>;
  sorts: Record<string, string>;
  defaultSort: string;
  defaultDir: 'asc' | 'desc';
  filters?: Record<string, FilterSpec>;
};
