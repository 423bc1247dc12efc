import type { Knex } from 'knex';
import { z } from 'zod';
import type { Actor } from '../../authz/actor.js';
import type { Permission } from '../../authz/permissions.js';
import type { UniqueKey } from '../../db/errors.js';
import type { FieldErrors } from '../../shared/errors.js';
import type { Field } from './fields.js';
import type { GridSpec } from '../web/grid-spec.js';
import type { Hook } from '../data/hooks.js';
import type { WriteOp } from '../data/write.js';

/** Whose records an actor sees: by an owner column, through a parent entity's scope, or everyone's. */
export type ScopePolicy = { kind: 'owned'; column: string } | { kind: 'through'; field: string } | { kind: 'global' };

export type Fields = Record<string, Field>;
export type Row = Record<string, unknown> & { id: number; version: number };
export type InputOf<F extends Fields> = { [K in keyof F]: z.infer<F[K]['schema']> };

export type StandardAction = 'view' | 'create' | 'edit' | 'delete' | 'restore';

export type EntityDef<F extends Fields = Fields> = {
  /** audit_log.entity, and the name references use ('contact'). */
  name: string;
  /** URL segment, route names and locale prefix ('contacts'). */
  plural: string;
  table: string;
  fields: F;
  /** The column that names a record in pickers, links, flashes and references. */
  titleColumn: string;
  /** Records named in each language by a column of their own (name_zh, name_en): pickers, lookups, flashes and questions read it. */
  titleColumnFor?(locale: string): string;
  scope: ScopePolicy;
  /**
   * The reference a record hangs on when its scope is its own (a quote's customer): a new one
   * starts from that record and a create share-locks it, as a `through` policy's field does.
   */
  parent?: string;
  softDelete: boolean;
  permissions: Partial<Record<StandardAction, Permission>>;
  /** Set to the actor's id on create. */
  createdByColumn?: string;
  /** `ignoreCase`: checked first without case, so SQLite refuses what MySQL's collation (and so its key) does. */
  uniques?: Array<{ key: UniqueKey; field: string; messageKey: string; ignoreCase?: boolean }>;
  /** What zod cannot know (needs two fields, or the current row); runs inside the write. */
  rules?: (values: Record<string, unknown>, current: Row | null, actor: Actor) => FieldErrors | void;
  hooks?: Hook[];
  /**
   * Why the record cannot be deleted now, as a locale key ({name} and the record's columns fill it),
   * or null. Asked on the confirmation page before asking, and again inside the delete's transaction
   * (409); an `activeColumn` entity offers deactivation instead.
   */
  inUse?(db: Knex, row: Row): Promise<string | null>;
  /** The write's transaction settings (an isolation level), when an operation needs its own. */
  transaction?: (db: Knex, op: WriteOp) => Knex.TransactionConfig | undefined;
  /** Picker search and the list's search box: a condition on the entity's own columns (any of several). */
  search?: (q: string) => { column: string | readonly string[]; match: 'prefix' | 'contains' };
  list?: GridSpec;
  /** Values a new form starts with. */
  defaults?: (actor: Actor) => Record<string, string>;
  /** False for a table without created_at and updated_at. */
  timestamps?: boolean;
  /** Read by every page through the reference cache: a write makes this instance forget its copy once it ends. */
  referenceData?: boolean;
  /** A small table whose writes check each other (one must stay active): each write locks it whole, before any row. */
  lockTable?: boolean;
  /** Kept in an admin's order: `column` numbers the records sharing `within`'s value (a list filter of that name narrows to them). */
  ordered?: { column: string; within?: string };
  /** Retired rather than deleted: the flag that the activate and deactivate routes set (pickers offer active records only). */
  activeColumn?: string;
};

export type Entity<F extends Fields = Fields> = EntityDef<F> & {
  /** Every field's form parse, as one zod object: what a create or update reads from a form. */
  input: z.ZodObject<{ [K in keyof F]: F[K]['schema'] }>;
  /** Fields a form edits, in declaration order. */
  formFields: string[];
  labelKey(field: string): string;
  /** The parse of some fields only: a form reads the fields it shows. */
  inputFor(keys: readonly string[]): z.ZodType<Record<string, unknown>>;
};

export type AnyEntity = Entity<Fields>;

export function defineEntity<const F extends Fields>(def: EntityDef<F>): Entity<F> {
  const shape = Object.fromEntries(Object.entries(def.fields).map(([k, f]) => [k, f.schema])) as { [K in keyof F]: F[K]['schema'] };
  return {
    ...def,
    input: z.object(shape),
    formFields: Object.keys(def.fields).filter((k) => def.fields[k].editable),
    labelKey: (field) => `${def.plural}.field.${field}`,
    inputFor: (keys) => z.object(Object.fromEntries(keys.map((k) => [k, def.fields[k].schema]))),
  };
}

/** The record's name in the reader's language. */
export function titleOf(e: AnyEntity, row: Record<string, unknown>, locale: string): string {
  return String(row[e.titleColumnFor?.(locale) ?? e.titleColumn] ?? '');
}
