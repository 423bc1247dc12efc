import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { ownerScope, type OwnerScope } from '../../authz/data-scope.js';
import { addDays, localToday, monthOf, startOfLocalDay } from '../../i18n/calendar.js';
import { fromCents, toCents } from '../../shared/money.js';
import { loadStages } from '../opportunities/pipeline-stages.js';
import { numberSetting } from '../settings/settings.repository.js';
import { visitsToday } from '../visits/index.js';
import { myDayRepository } from './my-day.repository.js';

export type MyDayView = 'mine' | 'team';

/** Receivables are listed this many days ahead of today. */
export const RECEIVABLES_DAYS_AHEAD = 14;

/** A manager (or admin) may look at their team's day; everyone else sees their own. */
export function canSeeTeam(actor: Actor): boolean {
  return actor.dataScope !== 'own';
}

export function myDayService(db: Knex) {
  const repo = myDayRepository(db);

  return {
    async load(actor: Actor, view: MyDayView, locale: string, now: Date = new Date()) {
      const scope: OwnerScope = view === 'team' && canSeeTeam(actor) ? await ownerScope(db, actor) : { kind: 'owners', ownerIds: [actor.id] };
      const today = localToday(actor.timeZone, now);
      const month = monthOf(today);
      const staleDays = await numberSetting(db, 'stale_customer_days');
      const openStageIds = (await loadStages(db)).filter((s) => s.kind === 'open').map((s) => s.id);
      const receivablesUntil = addDays(today, RECEIVABLES_DAYS_AHEAD);
      const mineOnly = !(view === 'team' && canSeeTeam(actor));
      const [due, stale, closing, approvals, receivables, visits] = await Promise.all([
        repo.dueFollowUps(scope, startOfLocalDay(addDays(today, 1), actor.timeZone)),
        repo.staleCustomers(scope, startOfLocalDay(addDays(today, -staleDays), actor.timeZone)),
        repo.closingOpportunities(scope, openStageIds, month.first, month.last),
        repo.contractsAwaitingApproval(actor.id),
        repo.receivables(scope, receivablesUntil),
        actor.permissions.has('visits.view') ? visitsToday(db, actor, mineOnly, today, locale) : null,
      ]);
      const startOfToday = startOfLocalDay(today, actor.timeZone);
      return {
        today,
        month: today.slice(0, 7),
        staleDays,
        receivablesUntil,
        due: { ...due, rows: due.rows.map((r) => ({ ...r, overdue: r.next_follow_up_at < startOfToday })) },
        stale,
        visits,
        closing,
        approvals,
        receivables: {
          ...receivables,
          rows: receivables.rows.map((r) => ({
            ...r,
            outstanding: fromCents(toCents(r.amount) - toCents(r.received_amount)),
            overdue: r.due_date < today,
          })),
        },
      };
    },
  };
}
