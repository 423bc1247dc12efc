import type { Knex } from 'knex';
import { applyOwnerScope, type OwnerScope } from '../../authz/data-scope.js';
import { isMysql } from '../../db/schema-helpers.js';
import { refreshClosedCounts } from './closed-counts.js';
import { totalColumns, type TotalRow } from './opportunity-totals.js';
import { inTransaction } from '../../db/transaction.js';

// The pipeline's totals per owner, stage and currency (count, amount, weighted amount in cents),
// kept in pipeline_totals so the board and the unfiltered list read a few hundred summary rows
// instead of summing every opportunity a manager or admin can see (0.3-3 s at 300,000).
//
// The summary is exact, not eventually right: every transaction that writes an opportunity ends by
// recomputing its owners' rows from the opportunities table (refreshPipelineTotals). A rep owns a
// few thousand opportunities at most, so that recompute is cheap, and it heals whatever an earlier
// write or a bulk load got wrong. The sums use totalColumns, the very expression the direct
// aggregate uses, so both paths agree to the cent (each weighted amount rounded half up first).
// Live opportunities only (a deleted customer's go with it: customer-cascade.ts).

const SUMMARY_COLUMNS = ['owner_id', 'stage_id', 'currency', 'opportunities', 'amount_cents', 'weighted_cents'];

/**
 * A transaction that writes opportunities of these owners: it takes their totals' locks first,
 * runs `work`, and ends by recomputing their summary rows, so the summary commits with the write.
 *
 * Two things keep concurrent saves from deadlocking on InnoDB (SQLite writes one transaction at a
 * time and ignores both):
 * - The owners' lock rows queue the saves touching one owner one after another. They live in
 *   pipeline_total_locks, which no other table references (a users row is also locked by every
 *   foreign key check naming that user, and could deadlock with those), and are created ahead in
 *   a statement of their own, because InnoDB deadlocks two transactions that both insert a missing
 *   row (see src/db/document-number.ts).
 * - READ COMMITTED: under REPEATABLE READ, INSERT ... SELECT locks every opportunity it reads (and
 *   the optimizer may read other owners' rows too) and the delete locks gaps next to other owners'
 *   summary rows, so saves of different owners could still wait for each other in a cycle. Under
 *   READ COMMITTED the select is a plain read of the committed rows, which behind the owners' locks
 *   include every earlier save of these owners, and no gaps are locked.
 */
export async function pipelineTransaction<T>(db: Knex, ownerIds: number[], work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const ids = distinct(ownerIds);
  if (ids.length === 0) return inTransaction(db, work);
  await preparePipelineLocks(db, ids);
  return inTransaction(db, async (trx) => {
    await lockPipelines(trx, ids);
    const result = await work(trx);
    await refreshPipelineTotals(trx, ids);
    return result;
  }, pipelineIsolation(db));
}

/** The owners' lock rows, created ahead of the transaction in a statement of their own. */
export async function preparePipelineLocks(db: Knex, ownerIds: number[]): Promise<void> {
  const ids = distinct(ownerIds);
  if (ids.length > 0) await db('pipeline_total_locks').insert(ids.map((id) => ({ owner_id: id }))).onConflict('owner_id').ignore();
}

/** The transaction's first locks: the owners' rows, in owner order. */
export async function lockPipelines(trx: Knex.Transaction, ownerIds: number[]): Promise<void> {
  await trx('pipeline_total_locks').whereIn('owner_id', distinct(ownerIds)).orderBy('owner_id').forUpdate().select('owner_id');
}

/** READ COMMITTED on MySQL (see above); SQLite's transactions are serializable and it warns about any other level. */
export function pipelineIsolation(db: Knex): Knex.TransactionConfig {
  return isMysql(db) ? { isolationLevel: 'read committed' } : {};
}

/**
 * Recomputes the summary rows of these owners from their live opportunities (inside the write's
 * transaction): their pipeline totals and their closed counts (closed-counts.ts).
 */
export async function refreshPipelineTotals(trx: Knex, ownerIds: number[]): Promise<void> {
  const ids = distinct(ownerIds);
  if (ids.length === 0) return;
  await trx('pipeline_totals').whereIn('owner_id', ids).delete();
  await insertSummary(trx, (query) => query.whereIn('o.owner_id', ids));
  await refreshClosedCounts(trx, ids);
}

/**
 * Recomputes the whole summary: after the migration that creates it, and after a bulk load (which
 * rebuilds the closed counts too: they came later, with a migration of their own). Under
 * READ COMMITTED it reads the opportunities without locking them, so saves go on meanwhile; a save
 * it did not see recomputes its owners' rows after it, when its own delete gets their locks.
 */
export async function rebuildPipelineTotals(db: Knex): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx('pipeline_totals').delete();
    await insertSummary(trx, (query) => query);
  }, pipelineIsolation(db));
}

async function insertSummary(trx: Knex, narrow: (query: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<void> {
  const totals = narrow(trx('opportunities as o').whereNull('o.deleted_at'))
    .groupBy('o.owner_id', 'o.stage_id', 'o.currency')
    .select('o.owner_id', 'o.stage_id', 'o.currency', ...totalColumns(trx, 'o'));
  // INSERT INTO pipeline_totals (columns) SELECT ...: one statement in both dialects.
  const columns = SUMMARY_COLUMNS.map(() => '??').join(', ');
  await trx.into(trx.raw(`?? (${columns})`, ['pipeline_totals', ...SUMMARY_COLUMNS])).insert(totals);
}

/** Narrowing of the summary: one owner (a manager's rep filter), some stages. */
export type PipelineFilter = { ownerId?: number; stageIds?: number[] };

/** Count and totals per stage and currency of the actor's scope, read from the summary. */
export async function pipelineTotals(db: Knex, scope: OwnerScope, filter: PipelineFilter): Promise<Array<TotalRow & { stage_id: number }>> {
  const query = applyOwnerScope(db('pipeline_totals as pt'), scope, 'pt.owner_id')
    .groupBy('pt.stage_id', 'pt.currency')
    .select(
      'pt.stage_id',
      'pt.currency',
      db.raw('sum(pt.opportunities) as n'),
      db.raw('sum(pt.amount_cents) as amount_cents'),
      db.raw('sum(pt.weighted_cents) as weighted_cents'),
    );
  if (filter.ownerId) query.where('pt.owner_id', filter.ownerId);
  if (filter.stageIds) query.whereIn('pt.stage_id', filter.stageIds);
  const rows: Array<TotalRow & { stage_id: number | string }> = await query;
  return rows.map((r) => ({ ...r, stage_id: Number(r.stage_id) }));
}

function distinct(ids: number[]): number[] {
  return [...new Set(ids.map(Number))].sort((a, b) => a - b);
}
