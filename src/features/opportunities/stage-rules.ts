import type { Knex } from 'knex';
import { HttpError } from '../../shared/errors.js';
import type { Stage } from './pipeline-stages.js';

// The pipeline's rules for changing an opportunity's stage, in one place: the edit form and the
// board's card form both ask brokenStageRules() before they save.
//
// - Moving FORWARD (to a stage sorted later, won included) needs a follow-up logged on the
//   opportunity since it entered its current stage, and an expected close date: a rep cannot
//   advance a deal without having talked to the customer about it.
// - Moving backward has no rule; moving to a lost stage needs only the lost reason.

export type StageRule = 'followup' | 'close_date' | 'lost_reason';

export type StageMove = {
  opportunityId: number;
  from: Stage | undefined;
  to: Stage;
  /** When the opportunity entered `from` (UTC db time). */
  stageEnteredAt: string;
  /** The close date the opportunity will have after the change. */
  expectedCloseDate: string | null;
  lostReason: string | null;
};

export function isForward(from: Stage | undefined, to: Stage): boolean {
  return !!from && from.id !== to.id && to.kind !== 'lost' && to.sort > from.sort;
}

/**
 * Has a follow-up been logged on the opportunity since it entered its current stage? Forms take
 * times to the minute, so a call logged in the same minute as the stage change counts.
 */
export async function hasFollowUpSince(db: Knex, opportunityId: number, since: string): Promise<boolean> {
  const sinceMinute = `${since.slice(0, 16)}:00`;
  const row = await db('followups')
    .where('opportunity_id', opportunityId)
    .where('occurred_at', '>=', sinceMinute)
    .first(db.raw('1 as found'));
  return !!row;
}

/** The rules this change breaks; empty means it may be saved. Run it inside the saving transaction. */
export async function brokenStageRules(db: Knex, move: StageMove): Promise<StageRule[]> {
  const broken: StageRule[] = [];
  if (move.to.kind === 'lost' && !move.lostReason) broken.push('lost_reason');
  if (isForward(move.from, move.to)) {
    if (!(await hasFollowUpSince(db, move.opportunityId, move.stageEnteredAt))) broken.push('followup');
    if (!move.expectedCloseDate) broken.push('close_date');
  }
  return broken;
}

/** A stage change refused by the rules; the page names each missing rule. */
export class StageRuleError extends HttpError {
  constructor(
    readonly broken: StageRule[],
    readonly from: Stage | undefined,
    readonly to: Stage,
  ) {
    super(422, `Stage change refused: ${broken.join(', ')}`);
  }
}

/** Throws StageRuleError when the change breaks a rule. */
export async function enforceStageRules(db: Knex, move: StageMove): Promise<void> {
  const broken = await brokenStageRules(db, move);
  if (broken.length > 0) throw new StageRuleError(broken, move.from, move.to);
}

/** The field each rule is shown beside on the edit form. */
export const RULE_FIELD: Record<StageRule, string> = {
  followup: 'stage_id',
  close_date: 'expected_close_date',
  lost_reason: 'lost_reason',
};
