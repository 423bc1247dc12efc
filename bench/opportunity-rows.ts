import { toDbTime } from '../src/db/time.js';
import { DAY, mix, type CustomerFacts } from './customer-rows.js';
import { sqlLiteral as sql } from './sql-literal.js';

// The benchmark's opportunities: three customers in ten (n % 10 < 3) have one, owned by the
// customer's owner, spread over all six pipeline stages, closing within 90 days either side of
// today (so the current month holds about a sixth of them). Each has its stage history: created
// in its stage, or (one in three past the first stage) created a stage earlier and moved on since.
export const OPPORTUNITY_COLUMNS = [
  'id', 'customer_id', 'title', 'amount', 'currency', 'stage_id', 'probability', 'expected_close_date',
  'stage_entered_at', 'lost_reason', 'remark', 'owner_id', 'created_by', 'version', 'deleted_at', 'created_at', 'updated_at',
] as const;

export const STAGE_HISTORY_COLUMNS = ['opportunity_id', 'customer_id', 'from_stage_id', 'to_stage_id', 'changed_by', 'changed_at'] as const;

export type BenchStage = { id: number; probability: number; kind: string };

const TITLES = ['年度软件采购', 'CRM 实施项目', 'Hardware refresh', '培训服务', 'Support renewal', '数据迁移项目'];
const CURRENCIES = ['CNY', 'CNY', 'CNY', 'USD'];
const LOST_REASONS = ['price', 'competitor', 'no_budget', 'no_decision', 'other'];

export const hasOpportunity = (n: number) => n % 10 < 3;

/** The id of customer n's opportunity: they are numbered in customer order. */
export const opportunityId = (n: number) => Math.floor(n / 10) * 3 + (n % 10) + 1;

/** How many opportunities `customers` customers have. */
export const opportunityCount = (customers: number) => Math.floor(customers / 10) * 3 + Math.min(customers % 10, 3);

/** Customer n's opportunity and its stage history rows, as values tuples; null if it has none. */
export function opportunityValues(n: number, facts: CustomerFacts, stages: BenchStage[], now: number): { opportunity: string; history: string[] } | null {
  if (!hasOpportunity(n)) return null;
  const id = opportunityId(n);
  const stageIndex = Math.floor(mix(n, 20) * stages.length);
  const stage = stages[stageIndex];
  const enteredAt = now - Math.floor((1 + mix(n, 21) * 60) * DAY);
  const movedOn = stageIndex > 0 && mix(n, 22) < 1 / 3;
  const createdAt = movedOn ? enteredAt - Math.floor((5 + mix(n, 23) * 40) * DAY) : enteredAt;
  const closeDate = toDbTime(new Date(now + Math.floor((mix(n, 24) * 180 - 90) * DAY))).slice(0, 10);
  const h = Math.floor(mix(n, 25) * 0x1_0000_0000);
  const amount = `${1000 + (h % 5000) * 100}.${String(h % 100).padStart(2, '0')}`;
  const opportunity = [
    sql(id, 'number'), sql(facts.id, 'number'), sql(`${TITLES[h % TITLES.length]} ${n + 1}`), `'${amount}'`,
    `'${CURRENCIES[(h >>> 8) % CURRENCIES.length]}'`, sql(stage.id, 'number'), sql(stage.probability, 'number'), `'${closeDate}'`,
    sql(enteredAt, 'time'), stage.kind === 'lost' ? `'${LOST_REASONS[(h >>> 12) % LOST_REASONS.length]}'` : 'NULL', 'NULL',
    sql(facts.ownerId, 'number'), sql(facts.ownerId, 'number'), '1', 'NULL', sql(createdAt, 'time'), sql(enteredAt, 'time'),
  ];
  const change = (from: number | null, to: number, at: number) =>
    `(${id},${facts.id},${from ?? 'NULL'},${to},${facts.ownerId},${sql(at, 'time')})`;
  const history = movedOn
    ? [change(null, stages[stageIndex - 1].id, createdAt), change(stages[stageIndex - 1].id, stage.id, enteredAt)]
    : [change(null, stage.id, enteredAt)];
  return { opportunity: `(${opportunity.join(',')})`, history };
}
