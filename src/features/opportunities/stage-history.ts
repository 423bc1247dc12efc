import type { Knex } from 'knex';

/**
 * Writes one stage change (the first stage at creation has from = null) for the timeline and the
 * conversion reports. Called inside the transaction that changes the opportunity and audits it.
 */
export async function recordStageChange(
  trx: Knex.Transaction,
  change: { opportunityId: number; customerId: number; fromStageId: number | null; toStageId: number; changedBy: number; at: string },
): Promise<void> {
  await trx('opportunity_stage_history').insert({
    opportunity_id: change.opportunityId,
    customer_id: change.customerId,
    from_stage_id: change.fromStageId,
    to_stage_id: change.toStageId,
    changed_by: change.changedBy,
    changed_at: change.at,
  });
}

export type StageHistoryRow = { id: number; from_stage_id: number | null; to_stage_id: number; changed_at: string; changed_by_name: string };

export async function stageHistoryOf(db: Knex, opportunityId: number): Promise<StageHistoryRow[]> {
  return db('opportunity_stage_history as h')
    .join('users as u', 'u.id', 'h.changed_by')
    .where('h.opportunity_id', opportunityId)
    .orderBy([{ column: 'h.changed_at', order: 'desc' }, { column: 'h.id', order: 'desc' }])
    .limit(100)
    .select('h.id', 'h.from_stage_id', 'h.to_stage_id', 'h.changed_at', 'u.display_name as changed_by_name');
}
