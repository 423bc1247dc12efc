import { generateFollowUps } from '../seeds/sales-generator.js';
import { toDbTime } from '../src/db/time.js';
import { mix, type CustomerFacts } from './customer-rows.js';
import { rowLiteral } from './sql-literal.js';

// The benchmark's follow-ups: every contacted customer (85%) has 2 to 10, about 5 per customer in
// all, from seeds/sales-generator.ts: the newest at the customer's last_contact_at carrying its
// next_follow_up_at, the earlier ones 5 to 20 days apart, in Chinese and English.
const COLUMNS = [
  ['customer_id', 'number'], ['contact_id', 'number'], ['opportunity_id', 'number'], ['type', 'vocabulary'],
  ['occurred_at', 'dbtime'], ['content', 'vocabulary'], ['next_follow_up_at', 'dbtime'], ['next_action', 'vocabulary'],
  ['created_by', 'number'], ['created_at', 'dbtime'], ['updated_at', 'dbtime'],
] as const;

export const FOLLOWUP_COLUMNS = COLUMNS.map(([column]) => column);

/** The values tuples of customer n's follow-ups (none if it was never contacted). */
export function followUpValues(n: number, facts: CustomerFacts): string[] {
  if (facts.lastContact === null) return [];
  const count = 2 + Math.floor(mix(n, 6) * 9);
  const rows = generateFollowUps(n, count, {
    id: facts.id,
    ownerId: facts.ownerId,
    lastContactAt: toDbTime(new Date(facts.lastContact)),
    nextFollowUpAt: facts.nextFollowUp === null ? null : toDbTime(new Date(facts.nextFollowUp)),
  });
  return rows.map((row) => rowLiteral(row, COLUMNS));
}
