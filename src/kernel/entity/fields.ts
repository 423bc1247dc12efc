import type { Knex } from 'knex';
import { z } from 'zod';
import { fromLocalInput, toLocalInput } from '../../i18n/format.js';
import { localDateTime, optionalDate, requiredDate } from '../../shared/dates.js';
import { checkbox, optionalText } from '../../shared/fields.js';
import { idField, idList, optionalId } from '../../shared/ids.js';
import { CURRENCIES, currencyField, fromCents, moneyField, toCents } from '../../shared/money.js';
import type { Permission } from '../../authz/permissions.js';
import type { ViewContext } from './view-context.js';

// A field is declared once: how a form value is read (zod), stored, shown in a form, a list cell,
// a history line and a CSV cell. Entities are maps of these; nothing else describes a column.

export type FieldKind =
  | 'text' | 'longText' | 'phone' | 'email' | 'money' | 'integer' | 'dict' | 'user' | 'users' | 'ref' | 'date' | 'dateTime' | 'boolean' | 'enum';

/** What a field needs from the write: the actor's time zone turns a typed local time into UTC. */
export type StoreContext = { timeZone: string };

export interface Field {
  readonly kind: FieldKind;
  readonly schema: z.ZodType;
  readonly required: boolean;
  readonly maxLength?: number;
  /** Shown and edited on forms; a read-only field is set by the code (a status move, a parent). */
  readonly editable: boolean;
  /** Only an actor holding this permission sees and sets the field (an owner); others get the default. */
  readonly permission?: Permission;
  /** Shown at all (lists, show page, history) only to actors holding it: a cost beside a price. */
  readonly readPermission?: Permission;
  /** Chosen when the record is made, then fixed (other records store it): shown, not edited, on the edit form. */
  readonly createOnly?: boolean;
  /** The language the value is written in (labels kept once per language), for the input's lang. */
  readonly lang?: string;
  readonly dictType?: string;
  readonly enumValues?: readonly string[];
  readonly enumLabelPrefix?: string;
  /** ref: the entity referred to, by name (resolved through the registry, so definitions may refer to each other). */
  readonly refEntity?: string;
  /** ref: a column both records have; the referred one must hold this record's value (an opportunity of the quote's own customer). */
  readonly within?: string;
  /** users: the link table holding the ids. */
  readonly link?: { table: string; ownKey: string; userKey: string };
  /** Bootstrap grid columns the input takes on a 12-column row. */
  readonly width: number;
  /** ref: what its select offers, in the referenced entity's own order (a tree, indented); `recordId` is the record edited. */
  options?(db: Knex, locale: string, recordId?: number): Promise<Array<{ value: string; label: string }>>;
  /** A select's empty choice, when it means more than "none" ("(top level)"). */
  readonly emptyKey?: string;
  toStored(value: unknown, c: StoreContext): unknown;
  /** A value as the database handed it back, as the parse gives it: both dialects compare alike. */
  fromStored(stored: unknown): unknown;
  toForm(stored: unknown, c: { timeZone: string }): string;
  /** Plain text for a cell, a show page, a history line or a 409 notice (escaped by the view). */
  display(stored: unknown, c: ViewContext): string;
  /** CSV/XLSX: a stored value to a cell, and a cell back to what a form would have sent. */
  toCell(stored: unknown, c: ViewContext): string | number;
  fromCell(cell: string): string;
  /** The value as audit rows record it, where that differs from the stored one. */
  toAudit?(stored: unknown): unknown;
}

type Options = { required?: boolean; width?: number; editable?: boolean; permission?: Permission; createOnly?: boolean; lang?: string } & Partial<
  Pick<Field, 'readPermission' | 'options' | 'emptyKey'>
>;
const empty = (v: unknown) => v === null || v === undefined || v === '';
const asText = (v: unknown) => (empty(v) ? '' : String(v));

function field(kind: FieldKind, schema: z.ZodType, o: Options & Partial<Field>): Field {
  return {
    kind,
    schema,
    required: o.required ?? false,
    editable: o.editable ?? true,
    width: o.width ?? 6,
    toStored: (v) => v,
    fromStored: (v) => v,
    toForm: (v) => asText(v),
    display: (v) => asText(v),
    toCell: (v, c) => (o.display ?? ((x: unknown) => asText(x)))(v, c),
    fromCell: (cell) => cell.trim(),
    ...o,
  };
}

const requiredText = (max: number) => z.string({ message: 'validation.required' }).trim().min(1).max(max);

/** `min` and `pattern` (message validation.format): text with a shape of its own, such as a login name or a code. */
export const text = (max: number, { min, pattern, ...o }: Options & { min?: number; pattern?: RegExp } = {}) => {
  let schema: z.ZodType<string | null> = o.required ? requiredText(max) : optionalText(max);
  if (min) schema = schema.refine((v) => !v || v.length >= min, { message: 'validation.too_short', params: { min } });
  if (pattern) schema = schema.refine((v) => !v || pattern.test(v), 'validation.format');
  return field('text', schema, { ...o, maxLength: max });
};

export const longText = (max: number, o: Options = {}) =>
  field('longText', o.required ? requiredText(max) : optionalText(max), { width: 12, ...o, maxLength: max });

export const phone = (o: Options = {}) =>
  field('phone', optionalText(50).refine((v) => v === null || /^[0-9+\-() ]{5,50}$/.test(v), 'validation.phone'), { width: 4, ...o, maxLength: 50 });

export const email = (o: Options = {}) =>
  field('email', optionalText(200).refine((v) => v === null || z.email().safeParse(v).success, 'validation.email'), { width: 4, ...o, maxLength: 200 });

// MySQL hands DECIMAL back as "12.50", SQLite as 12.5: both read as the form's "12.50".
const decimal = (v: unknown) => (empty(v) ? null : fromCents(toCents(v as string | number)));

export const money = (o: Options = {}) =>
  field('money', o.required ? moneyField : z.string().optional().transform((v) => v ?? '').pipe(z.union([z.literal('').transform(() => null), moneyField])), {
    width: 4,
    ...o,
    fromStored: decimal,
    toForm: (v) => decimal(v) ?? '',
    display: (v, c) => (empty(v) ? '' : c.fmt.money(v as string)),
  });

/** The currency an amount is written in: one of the list money knows ('cny' reads as CNY), labelled currency.<code>. */
export const currency = (o: Options = {}) =>
  field('enum', currencyField, { width: 2, required: true, ...o, enumValues: CURRENCIES, enumLabelPrefix: 'currency' });

export const integer = (min: number, max: number, o: Options = {}) =>
  field(
    'integer',
    z
      .string()
      .trim()
      .optional()
      .refine((v) => (!v && !o.required) || (/^-?\d{1,9}$/.test(v ?? '') && Number(v) >= min && Number(v) <= max), {
        message: 'validation.integer_range',
        params: { min, max },
      })
      .transform((v) => (v ? Number(v) : null)),
    { width: 3, ...o },
  );

/** `invalidKey`: the message for a day that does not exist, where a form words it its own way. */
export const date = ({ invalidKey, ...o }: Options & { invalidKey?: string } = {}) =>
  field('date', o.required ? requiredDate(invalidKey) : optionalDate(invalidKey), { width: 4, ...o, display: (v, c) => c.fmt.day(v as string | null) });

export const dateTime = (o: Options = {}) =>
  field(
    'dateTime',
    o.required ? localDateTime.refine((v) => !!v, 'validation.required') : localDateTime.transform((v) => v || null),
    {
      width: 4,
      ...o,
      toStored: (v, c) => (v ? fromLocalInput(String(v), c.timeZone) : null),
      toForm: (v, c) => toLocalInput(v as string | null, c.timeZone),
      display: (v, c) => c.fmt.dateTime(v as string | null),
      fromCell: (cell) => cell.trim().replace(' ', 'T').slice(0, 16),
    },
  );

/** `auditAsBoolean`: audit rows say true/false, as this entity's always have (others say 1/0). */
export const boolean = ({ auditAsBoolean, ...o }: Options & { auditAsBoolean?: boolean } = {}) =>
  field('boolean', checkbox, {
    width: 4,
    ...o,
    ...(auditAsBoolean ? { toAudit: (v: unknown) => (v === null || v === undefined ? v : Boolean(Number(v))) } : {}),
    toStored: (v) => (v ? 1 : 0),
    toForm: (v) => (v && v !== '0' ? '1' : ''),
    display: (v, c) => c.t(Number(v) ? 'common.yes' : 'common.no'),
    fromCell: (cell) => (/^(1|y|yes|true|是)$/i.test(cell.trim()) ? '1' : ''),
  });

export const enumOf = <const V extends readonly [string, ...string[]]>(values: V, labelPrefix: string, o: Options = {}) =>
  field('enum', z.enum(values, { message: 'validation.choice' }), {
    width: 4,
    required: true,
    ...o,
    enumValues: values,
    enumLabelPrefix: labelPrefix,
    display: (v, c) => (empty(v) ? '' : c.t(`${labelPrefix}.${String(v)}`)),
  });

/** A code of an admin-kept dictionary; the write path checks it is an active (or the current) value. */
export const dict = (dictType: string, o: Options = {}) =>
  field('dict', o.required ? requiredText(50) : optionalText(50), {
    width: 4,
    ...o,
    dictType,
    display: (v, c) => (empty(v) ? '' : c.lookups.dict(dictType, String(v))),
  });

/** A user (an owner, an assignee); the write path checks the actor may hand records to them. */
export const user = (o: Options = {}) =>
  field('user', o.required ? idField : optionalId, {
    width: 4,
    ...o,
    display: (v, c) => (empty(v) ? '' : c.lookups.user(Number(v))),
  });

/** Several users, kept in a link table (participants); the write path replaces the links. */
export const users = (link: { table: string; ownKey: string; userKey: string }, o: Options = {}) =>
  field('users', idList(50), {
    width: 12,
    ...o,
    link,
    toForm: (v) => (Array.isArray(v) ? v.join(',') : ''),
    display: (v, c) => (Array.isArray(v) ? v.map((id) => c.lookups.user(Number(id))).join(', ') : ''),
  });

/** A record of another entity; the write path checks it is one the actor may see (and, with `within`, of the same parent). */
export const ref = (refEntity: string, o: Options & { within?: string } = {}) =>
  field('ref', o.required ? idField : optionalId, {
    ...o,
    refEntity,
    display: (v, c) => (empty(v) ? '' : c.lookups.ref(refEntity, Number(v))),
  });
