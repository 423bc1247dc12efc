import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { forgetReferenceData } from '../../db/reference-cache.js';
import { insertRow } from '../../db/sql.js';
import { toDbTime } from '../../db/time.js';
import { inTransaction } from '../../db/transaction.js';
import { changedFields, writeAudit, type AuditAction, type FieldChanges } from '../../shared/audit.js';
import { ConflictError, NotFoundError, refusingDuplicate, ValidationError, type FieldErrors } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import type { AnyEntity, Row } from '../entity/define-entity.js';
import type { Hook, WriteContext } from './hooks.js';
import { fillPosition } from './ordering.js';
import { checkReferences } from './references.js';
import { repositoryOf } from './repository.js';
import { parentOf } from './scope.js';

// The one write path. Lock order, the same for every entity: a `lockTable` entity's whole table, the
// hooks' locks (summary rows), then a new record's parent FOR SHARE (so a concurrent delete of it
// either went first or waits) or an existing record's own row FOR UPDATE. Only then plain reads, so
// under REPEATABLE READ the snapshot is taken after the locks. Then scope (404), version (409), a
// record still in use (409, on delete), references, uniques and rules (422), the write, its audit row
// and the hooks, all in the caller's transaction.

export type Values = Record<string, unknown>;
/**
 * What the audit row says of columns no field describes (a password hash is recorded as "reset",
 * never as its value), read off the locked row; an empty answer on a patch means nothing to write.
 */
export type AuditOf = (before: Row | null) => FieldChanges;
/** `related`: what the entity's hooks write beside the row (a document's lines); never a column. */
export type WriteOp =
  | { kind: 'create'; values: Values; audit?: AuditOf; related?: unknown }
  | { kind: 'update'; id: number; version: number; values: Values; related?: unknown }
  /** A change made by the code (a job, a status move); `expect`: columns that must still hold these values, else nothing is written. */
  | { kind: 'patch'; id: number; version?: number; values: Values; expect?: Values; audit?: AuditOf }
  | { kind: 'delete' | 'restore'; id: number; version?: number };

export type WriteResult = { id: number; before: Row | null; values: Values; changed: boolean };

/** A delete refused because other records still need this one (409); `reason` is a locale key saying which. */
export class InUseError extends ConflictError {
  constructor(readonly reason: string) {
    super('In use');
  }
}

/** A row as the database handed it back, each field's value as its parse gives it. */
function fromStoredRow(e: AnyEntity, row: Row): Row {
  const out: Row = { ...row };
  for (const [key, f] of Object.entries(e.fields)) if (key in out) out[key] = f.fromStored(out[key]);
  return out;
}

/** A form's parsed values as columns: local times to UTC, checkboxes to 0/1. */
function stored(e: AnyEntity, values: Values, actor: Actor): Values {
  const out: Values = {};
  for (const [key, value] of Object.entries(values)) {
    const f = e.fields[key];
    out[key] = f ? f.toStored(value, { timeZone: actor.timeZone }) : value;
  }
  return out;
}

const linkedFields = (e: AnyEntity) => Object.entries(e.fields).filter(([, f]) => f.kind === 'users' && f.link);
const columnsOf = (e: AnyEntity, values: Values) =>
  Object.fromEntries(Object.entries(values).filter(([k]) => !(e.fields[k]?.kind === 'users')));

async function replaceLinks(trx: Knex.Transaction, e: AnyEntity, id: number, values: Values, only?: string[]): Promise<void> {
  for (const [key, f] of linkedFields(e)) {
    if (!(key in values) || (only && !only.includes(key))) continue;
    const { table, ownKey, userKey } = f.link!;
    await trx(table).where(ownKey, id).delete();
    const ids = [...new Set((values[key] as number[] | null) ?? [])];
    if (ids.length) await trx(table).insert(ids.map((u) => ({ [ownKey]: id, [userKey]: u })));
  }
}

/** Values as audit rows record them (a field may keep an older shape there, such as true/false). */
function audited(e: AnyEntity, row: Values | null): Values | null {
  return row && Object.fromEntries(Object.entries(row).map(([k, v]) => [k, e.fields[k]?.toAudit ? e.fields[k].toAudit(v) : v]));
}

const stamps = (e: AnyEntity, now: string, created: boolean) =>
  e.timestamps === false ? {} : created ? { created_at: now, updated_at: now } : { updated_at: now };

/** Unique values compared without case, as MySQL's collation does, so SQLite answers the same 422. */
async function caseInsensitiveTaken(trx: Knex.Transaction, e: AnyEntity, values: Values, before: Row | null): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  for (const u of e.uniques ?? []) {
    const value = values[u.field];
    if (!u.ignoreCase || typeof value !== 'string') continue;
    const query = trx(e.table).whereRaw(`lower(${u.field}) = ?`, [value.toLowerCase()]);
    for (const column of u.key.columns) if (column !== u.field) query.where(column, (values[column] ?? before?.[column]) as string);
    if (before) query.whereNot('id', before.id);
    if (await query.first('id')) errors[u.field] = { key: u.messageKey };
  }
  return errors;
}

async function lockOwnRow(trx: Knex.Transaction, e: AnyEntity, id: number): Promise<Row> {
  const row: Row | undefined = await trx(e.table).where('id', id).forUpdate().first();
  if (!row) throw new NotFoundError();
  return row;
}

/** The parent a new record hangs on, share-locked, then checked live and in scope (else 404). */
async function lockParent(trx: Knex.Transaction, e: AnyEntity, values: Values, actor: Actor): Promise<void> {
  const parent = parentOf(e);
  if (!parent) return;
  const id = Number(values[parent.field]);
  const row = await trx(parent.entity.table).where('id', id).forShare().first('id');
  if (!row || !(await repositoryOf(parent.entity).exists({ db: trx, actor }, id))) throw new NotFoundError();
}

export async function writeRecord(
  trx: Knex.Transaction,
  e: AnyEntity,
  op: WriteOp,
  actor: Actor,
  info: RequestInfo,
  prepared: Map<Hook, unknown> = new Map(),
): Promise<WriteResult> {
  const now = toDbTime();
  const values = op.kind === 'create' || op.kind === 'update' || op.kind === 'patch' ? stored(e, op.values, actor) : {};
  const ctx: WriteContext = { trx, entity: e, actor, info, op, before: null, values, changes: {}, id: op.kind === 'create' ? 0 : op.id, prepared };
  const auditFields = Object.keys(e.fields);
  const repo = repositoryOf(e);
  if (e.lockTable) await trx(e.table).forUpdate().select('id');

  for (const hook of e.hooks ?? []) await hook.lock?.(ctx);
  if (op.kind === 'create') {
    await lockParent(trx, e, ctx.values, actor);
  } else {
    ctx.before = await lockOwnRow(trx, e, op.id);
    const visible = await repo.findById({ db: trx, actor }, op.id, op.kind === 'restore' ? 'only' : 'exclude');
    if (!visible) throw new NotFoundError();
    ctx.before = fromStoredRow(e, { ...visible, ...ctx.before, ...Object.fromEntries(linkedFields(e).map(([k]) => [k, visible[k]])) });
    if (op.version !== undefined && op.version !== ctx.before.version) throw new ConflictError();
    const reason = op.kind === 'delete' ? await e.inUse?.(trx, ctx.before) : null;
    if (reason) throw new InUseError(reason);
    const before = ctx.before;
    if (op.kind === 'patch' && Object.entries(op.expect ?? {}).some(([k, v]) => String(before[k] ?? '') !== String(v ?? ''))) {
      return { id: op.id, before, values: {}, changed: false };
    }
  }
  if (op.kind === 'create' || op.kind === 'update' || op.kind === 'patch') {
    if (e.ordered && op.kind !== 'patch') await fillPosition(trx, e, ctx.values, ctx.before);
    if (op.kind !== 'patch') {
      const errors = {
        ...(await checkReferences(trx, e, ctx.values, ctx.before, actor)),
        ...(await caseInsensitiveTaken(trx, e, ctx.values, ctx.before)),
        ...(e.rules?.(ctx.values, ctx.before, actor) ?? {}),
      };
      if (Object.keys(errors).length) throw new ValidationError(errors);
    }
    for (const hook of e.hooks ?? []) Object.assign(ctx.values, (await hook.derive?.(ctx)) ?? {});
    ctx.changes = changedFields(audited(e, ctx.before), audited(e, ctx.values)!, auditFields.filter((f) => f in ctx.values));
    if (op.kind !== 'update' && op.audit) Object.assign(ctx.changes, op.audit(ctx.before));
    for (const hook of e.hooks ?? []) Object.assign(ctx.changes, (await hook.changes?.(ctx)) ?? {});
    if (ctx.before && Object.keys(ctx.changes).length === 0) return { id: ctx.id, before: ctx.before, values: ctx.values, changed: false };
  } else {
    ctx.changes = op.kind === 'delete' && !e.softDelete ? changedFields(audited(e, ctx.before), {}, auditFields) : {};
  }
  for (const hook of e.hooks ?? []) Object.assign(ctx.values, (await hook.before?.(ctx)) ?? {});

  await refusingUniques(e, async () => {
    if (op.kind === 'create') {
      const extra = e.createdByColumn ? { [e.createdByColumn]: actor.id } : {};
      ctx.id = await insertRow(trx, e.table, { ...columnsOf(e, ctx.values), ...extra, version: 1, ...stamps(e, now, true) });
      await replaceLinks(trx, e, ctx.id, ctx.values);
    } else if (op.kind === 'delete' && !e.softDelete) {
      await replaceLinks(trx, e, op.id, Object.fromEntries(linkedFields(e).map(([k]) => [k, []])));
      await trx(e.table).where('id', op.id).delete();
    } else {
      const columns =
        op.kind === 'delete' ? { deleted_at: now } : op.kind === 'restore' ? { deleted_at: null } : columnsOf(e, ctx.values);
      await trx(e.table).where('id', op.id).update({ ...columns, version: ctx.before!.version + 1, ...stamps(e, now, false) });
      await replaceLinks(trx, e, op.id, ctx.values, Object.keys(ctx.changes));
    }
  });

  const action: AuditAction = op.kind === 'patch' ? 'update' : op.kind;
  await writeAudit(trx, { entity: e.name, entityId: ctx.id, action, actorId: actor.id || null, changes: Object.keys(ctx.changes).length ? ctx.changes : undefined, ip: info.ip });
  for (const hook of e.hooks ?? []) await hook.after?.(ctx);
  return { id: ctx.id, before: ctx.before, values: ctx.values, changed: true };
}

function refusingUniques(e: AnyEntity, write: () => Promise<void>): Promise<void> {
  return (e.uniques ?? []).reduce<() => Promise<void>>((inner, u) => () => refusingDuplicate(u.key, u.field, u.messageKey, inner), write)();
}

/** A transaction for writes of `e`: reference data makes this instance forget its cached copy once it ends. */
export async function entityTransaction<T>(db: Knex, e: AnyEntity, work: (trx: Knex.Transaction) => Promise<T>, config?: Knex.TransactionConfig): Promise<T> {
  try {
    return await inTransaction(db, work, config);
  } finally {
    if (e.referenceData) forgetReferenceData(db);
  }
}

/** writeRecord in a transaction of its own (retried whole when the database picks it as a deadlock victim). */
export async function write(db: Knex, e: AnyEntity, op: WriteOp, actor: Actor, info: RequestInfo): Promise<WriteResult> {
  const prepared = new Map<Hook, unknown>();
  for (const hook of e.hooks ?? []) if (hook.prepare) prepared.set(hook, await hook.prepare(db, op, actor));
  return entityTransaction(db, e, (trx) => writeRecord(trx, e, op, actor, info, prepared), e.transaction?.(db, op));
}
