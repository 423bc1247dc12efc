import { toDbTime } from '../../db/time.js';
import type { Hook, WriteContext } from '../../kernel/data/hooks.js';
import type { Row } from '../../kernel/entity/define-entity.js';
import type { FieldErrors } from '../../shared/errors.js';
import { lockLiveCustomer } from '../customers/live-customer.js';
import { recordFollowup } from '../followups/index.js';

// What is a visit plan's own: a done visit says how it went, and goes on the customer's timeline
// as a follow-up of type visit, in the same transaction as the status change.

const becomesDone = (c: WriteContext) => c.values.status === 'done' && c.before?.status !== 'done';
const customerOf = (c: WriteContext) => Number(c.values.customer_id ?? c.before?.customer_id);

export function visitRules(values: Record<string, unknown>, current: Row | null): FieldErrors | void {
  const status = values.status ?? current?.status;
  const summary = 'summary' in values ? values.summary : current?.summary;
  if (status === 'done' && !summary) return { summary: { key: 'visits.error.summary_required' } };
}

export const visitHooks: Hook[] = [
  {
    // The follow-up updates the customer: the visit's row, then the customer's, are locked for
    // update before anything reads them.
    async lock(c) {
      if (c.values.status !== 'done') return;
      const current = c.op.kind === 'create' ? undefined : await c.trx('visit_plans').where('id', c.op.id).forUpdate().first('customer_id', 'status');
      if (c.op.kind !== 'create' && !current) return;
      if (current?.status !== 'done') await lockLiveCustomer(c.trx, Number(c.values.customer_id ?? current?.customer_id), 'update');
    },
    // A visit is overdue only while it is planned and its time has passed.
    async before(c) {
      const status = c.values.status ?? c.before?.status;
      const plannedAt = String(c.values.planned_at ?? c.before?.planned_at);
      if (c.op.kind !== 'patch' && (status !== 'planned' || plannedAt > toDbTime())) return { is_overdue: 0 };
    },
    async after(c) {
      if (!becomesDone(c)) return;
      const plannedAt = String(c.values.planned_at ?? c.before?.planned_at);
      const now = toDbTime();
      await recordFollowup(
        c.trx,
        customerOf(c),
        {
          type: 'visit',
          occurred_at: plannedAt < now ? plannedAt : now,
          content: String(c.values.summary ?? c.before?.summary),
          contact_id: null,
          opportunity_id: null,
          next_follow_up_at: undefined,
          next_action: null,
        },
        c.actor,
        c.info,
      );
    },
  },
];
