import type { Knex } from 'knex';
import { applyOwnerScope, scopedWalk, type OwnerScope } from '../../authz/data-scope.js';
import { unionAllOf } from '../../db/sql.js';
import { inTransaction } from '../../db/transaction.js';

// How many opportunities entered each won or lost stage, per owner and calendar month (UTC), kept
// in closed_counts so the board's "won / lost this month" reads a few summary rows. Counted from the
// opportunities, a team that closes thousands a month paid for every one of them on every view of
// the board (2-2.5 ms of a manager's 9 ms at a million customers, even capped at 1,000).
//
// Maintained with pipeline_totals (pipeline-totals.ts): every transaction that writes opportunities
// ends by recomputing its owners' rows, behind the same owner locks; a bulk load rebuilds them all.

/** The stages whose entries are counted: won and lost ones. */
function closedStageIds(trx: Knex): Knex.QueryBuilder {
  return trx('pipeline_stages').whereIn('kind', ['won', 'lost']).select('id');
}

async function insertCounts(trx: Knex, narrow: (query: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<void> {
  // Times are stored as UTC "YYYY-MM-DD HH:MM:SS" in both dialects, so the month is its first 7 characters.
  const month = 'substr(o.stage_entered_at, 1, 7)';
  const counts = narrow(trx('opportunities as o').whereNull('o.deleted_at').whereIn('o.stage_id', closedStageIds(trx)))
    .groupBy('o.owner_id', trx.raw(month), 'o.stage_id')
    .select('o.owner_id', trx.raw(`${month} as month`), 'o.stage_id', trx.raw('count(*) as opportunities'));
  await trx.into(trx.raw('?? (??, ??, ??, ??)', ['closed_counts', 'owner_id', 'month', 'stage_id', 'opportunities'])).insert(counts);
}

/** Recomputes these owners' rows (inside the write's transaction, behind their locks). */
export async function refreshClosedCounts(trx: Knex, ownerIds: number[]): Promise<void> {
  await trx('closed_counts').whereIn('owner_id', ownerIds).delete();
  await insertCounts(trx, (query) => query.whereIn('o.owner_id', ownerIds));
}

/** Recomputes every row: after the migration that creates them, and after a bulk load. */
export async function rebuildClosedCounts(db: Knex): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx('closed_counts').delete();
    await insertCounts(trx, (query) => query);
  });
}

const monthOf = (time: string) => time.slice(0, 7);
const monthStartOf = (month: string) => `${month}-01 00:00:00`;
function nextMonthStart(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return m === 12 ? `${year + 1}-01-01 00:00:00` : `${year}-${String(m + 1).padStart(2, '0')}-01 00:00:00`;
}
const seconds = (time: string) => Date.parse(`${time.replace(' ', 'T')}Z`) / 1000;

/**
 * Opportunities of the scope (one owner of it, when given) that entered each of `stageIds` at or
 * after `since` (UTC db time: the start of the user's month, which is not the start of a UTC month
 * unless the user's zone is UTC), by stage. Exact, in one statement: the whole UTC months from the
 * summary, and the few hours between `since` and the nearer edge of its UTC month counted from the
 * opportunities themselves.
 */
export async function enteredSince(db: Knex, scope: OwnerScope, stageIds: number[], since: string, ownerId?: number): Promise<Map<number, number>> {
  const byStage = new Map<number, number>(stageIds.map((id) => [id, 0]));
  if (stageIds.length === 0) return byStage;
  const month = monthOf(since);
  const [start, next] = [monthStartOf(month), nextMonthStart(month)];
  // Nearer the start of its UTC month: that month's rows less the hours before `since`; nearer the
  // end: the later months' rows plus the hours from `since` to the end of its month.
  const fromStart = seconds(since) - seconds(start) <= seconds(next) - seconds(since);
  const months = applyOwnerScope(db('closed_counts'), scope, 'owner_id')
    .whereIn('stage_id', stageIds)
    .where('month', fromStart ? '>=' : '>', month)
    .groupBy('stage_id')
    .select(db.raw("'months' as part"), 'stage_id', db.raw('sum(opportunities) as n'));
  if (ownerId) months.where('owner_id', ownerId);
  const [from, to] = fromStart ? [start, since] : [since, next];
  const edge = scopedWalk(db, scope, 'opportunities', 'o', ownerId ? undefined : 'opportunities_owner_entered')
    .whereNull('o.deleted_at')
    .whereIn('o.stage_id', stageIds)
    .where('o.stage_entered_at', '>=', from)
    .where('o.stage_entered_at', '<', to)
    .groupBy('o.stage_id')
    .select(db.raw("'edge' as part"), 'o.stage_id', db.raw('count(*) as n'));
  if (ownerId) edge.where('o.owner_id', ownerId);
  const rows: Array<{ part: string; stage_id: number | string; n: number | string }> = await unionAllOf(db, from < to ? [months, edge] : [months]);
  for (const row of rows) {
    const stageId = Number(row.stage_id);
    const n = row.part === 'edge' && fromStart ? -Number(row.n) : Number(row.n);
    byStage.set(stageId, (byStage.get(stageId) ?? 0) + n);
  }
  return byStage;
}
