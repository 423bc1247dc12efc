import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import type { FieldChanges } from '../../shared/audit.js';
import type { RequestInfo } from '../../shared/request.js';
import type { AnyEntity, Row } from '../entity/define-entity.js';
import type { WriteOp } from './write.js';

export type WriteContext = {
  trx: Knex.Transaction;
  entity: AnyEntity;
  actor: Actor;
  info: RequestInfo;
  op: WriteOp;
  /** The row as it was (locked), null on create. */
  before: Row | null;
  /** The stored values being written (create, update), or the row's after a delete or restore. */
  values: Record<string, unknown>;
  changes: FieldChanges;
  id: number;
  /** What each hook's `prepare` found before the transaction. */
  prepared: Map<Hook, unknown>;
};

/**
 * What an entity keeps right beside its own row, in the write's transaction: summary tables,
 * timeline rows, cascades. Every writer (forms, jobs, imports, transfers) runs them.
 */
export type Hook = {
  /**
   * Before the transaction, in statements of their own: rows a write may need that two transactions
   * must not both insert (InnoDB deadlocks them), and what the locks below will cover.
   */
  prepare?(db: Knex, op: WriteOp, actor: Actor): Promise<unknown>;
  /** The write's first locks: summary rows, in id order; before the record's own row is locked. */
  lock?(c: WriteContext): Promise<void>;
  /** Values that follow from the others (a position among new siblings); audited as the form's own. May refuse (ValidationError). */
  derive?(c: WriteContext): Promise<Record<string, unknown> | void>;
  /**
   * Changes beside the row's columns (the rows a record owns, such as a document's lines), recorded
   * in the same audit row; an update that changes only these still writes. Runs after the checks.
   */
  changes?(c: WriteContext): Promise<FieldChanges | void>;
  /** May add columns to the write, or refuse it (throw ValidationError). */
  before?(c: WriteContext): Promise<Record<string, unknown> | void>;
  after?(c: WriteContext): Promise<void>;
};
