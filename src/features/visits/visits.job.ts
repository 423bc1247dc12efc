import type { Knex } from 'knex';
import { toDbTime } from '../../db/time.js';
import { SYSTEM_ACTOR } from '../../kernel/data/system-actor.js';
import { write } from '../../kernel/data/write.js';
import { defineJob } from '../../kernel/jobs/scheduler.js';
import { visits } from './visits.entity.js';

/** Planned visits whose time has passed are marked overdue, a batch per run, each through the write path. */
export async function markOverdueVisits(db: Knex, now = toDbTime(), batch = 200): Promise<number> {
  const due: Array<{ id: number; planned_at: string }> = await db('visit_plans')
    .join('customers', 'customers.id', 'visit_plans.customer_id')
    .whereNull('customers.deleted_at')
    .where({ 'visit_plans.status': 'planned', 'visit_plans.is_overdue': false })
    .where('visit_plans.planned_at', '<', now)
    .whereNull('visit_plans.deleted_at')
    .orderBy('visit_plans.planned_at')
    .limit(batch)
    .select('visit_plans.id', 'visit_plans.planned_at');
  let marked = 0;
  for (const v of due) {
    // Done, cancelled or moved since it was read: left as it now is.
    const expect = { status: 'planned', planned_at: v.planned_at, deleted_at: null };
    const result = await write(db, visits, { kind: 'patch', id: v.id, values: { is_overdue: true }, expect }, SYSTEM_ACTOR, { ip: null });
    if (result.changed) marked++;
  }
  return marked;
}

/** Every five minutes, on one app instance: planned visits past their time become overdue. */
export const overdueVisitsJob = defineJob({
  name: 'visits.overdue',
  cron: '*/5 * * * *',
  leaseMs: 60_000,
  run: async ({ db, slot }) => {
    await markOverdueVisits(db, toDbTime(slot));
  },
});
