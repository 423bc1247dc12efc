import type { Knex } from 'knex';
import { scopeIncludesOwner, type OwnerScope } from '../../authz/data-scope.js';
import type { Locale } from '../../i18n/i18n.js';
import { impliedTotal, pageOf, type Page, type PageRequest } from '../../shared/pagination.js';

export const TIMELINE_PER_PAGE = 20;

type Kind = 'followup' | 'stage' | 'contract' | 'payment';

export type TimelineEntry =
  | {
      kind: 'followup';
      id: number;
      at: string;
      actor: string;
      type: string;
      content: string;
      contactName: string | null;
      opportunityTitle: string | null;
      nextFollowUpAt: string | null;
      nextAction: string | null;
    }
  | { kind: 'stage'; id: number; at: string; actor: string; opportunityId: number; opportunityTitle: string; from: string | null; to: string }
  | { kind: 'contract'; id: number; at: string; actor: string; contractId: number; number: string; action: string; comment: string | null }
  | { kind: 'payment'; id: number; at: string; actor: string; contractId: number; number: string; amount: string; currency: string; paidOn: string; method: string };

// Each source is read newest first from its (customer_id, time) index and cut at the rows the page
// can need, so the merge never sees more than (offset + page) rows of each, however long the history.
const SOURCES: Array<{ kind: Kind; table: string; at: string }> = [
  { kind: 'followup', table: 'followups', at: 'occurred_at' },
  { kind: 'stage', table: 'opportunity_stage_history', at: 'changed_at' },
  { kind: 'contract', table: 'contract_events', at: 'at' },
  // When the payment was recorded; the day the money arrived (paid_on) is shown with it.
  { kind: 'payment', table: 'payment_records', at: 'created_at' },
];

/**
 * One page of a customer's timeline: follow-ups, stage changes, contract events and payments, newest
 * first. An entry about an opportunity or contract of an owner outside `scope` is left out (its page
 * would be a 404) and counted in `hidden`; a follow-up naming such an opportunity keeps its text
 * without the title.
 */
export async function customerTimeline(
  db: Knex,
  customerId: number,
  page: PageRequest,
  locale: Locale,
  scope: OwnerScope,
): Promise<Page<TimelineEntry> & { hidden: number }> {
  const depth = page.offset + page.perPage + 1;
  const parts = SOURCES.map(
    ({ kind, table, at }, n) =>
      `select * from (select '${kind}' as kind, id, ${at} as at from ${table} where customer_id = ? order by ${at} desc, id desc limit ?) s${n}`,
  );
  const sql = `select kind, id, at from (${parts.join(' union all ')}) entries order by at desc, kind, id desc limit ? offset ?`;
  const bindings = [...SOURCES.flatMap(() => [customerId, depth]), page.perPage + 1, page.offset];
  const raw = await db.raw(sql, bindings);
  // mysql2 answers [rows, fields]; better-sqlite3 answers the rows.
  const keys: Array<{ kind: Kind; id: number; at: string }> = Array.isArray(raw[0]) ? raw[0] : raw;
  // Most customers' timelines fit on their first page, which proves its total: count only otherwise.
  const total = impliedTotal(page, keys.length) ?? (await countEntries(db, customerId));
  const shown = keys.slice(0, page.perPage);
  const details = await loadDetails(db, shown, locale, scope);
  const rows = shown.map((k) => details.get(`${k.kind}:${k.id}`)).filter((e): e is TimelineEntry => !!e);
  return { ...pageOf(rows, page, total, keys.length > page.perPage), hidden: shown.length - rows.length };
}

async function countEntries(db: Knex, customerId: number): Promise<number> {
  const counts = await Promise.all(SOURCES.map(({ table }) => db(table).where('customer_id', customerId).count({ n: '*' }).first()));
  return counts.reduce((sum, c) => sum + Number(c?.n ?? 0), 0);
}

/** The who and what of the page's entries: at most four small queries by primary key. */
async function loadDetails(
  db: Knex,
  keys: Array<{ kind: Kind; id: number }>,
  locale: Locale,
  scope: OwnerScope,
): Promise<Map<string, TimelineEntry>> {
  const idsOf = (kind: Kind) => keys.filter((k) => k.kind === kind).map((k) => Number(k.id));
  const opens = (ownerId: number | null) => ownerId !== null && scopeIncludesOwner(scope, Number(ownerId));
  const stageName = locale === 'en' ? 'name_en' : 'name_zh';
  const result = new Map<string, TimelineEntry>();

  const followupIds = idsOf('followup');
  if (followupIds.length > 0) {
    const rows = await db('followups as f')
      .join('users as u', 'u.id', 'f.created_by')
      .leftJoin('contacts as c', 'c.id', 'f.contact_id')
      .leftJoin('opportunities as o', 'o.id', 'f.opportunity_id')
      .whereIn('f.id', followupIds)
      .select('f.*', 'u.display_name as actor', 'c.name as contact_name', 'o.title as opportunity_title', 'o.owner_id as opportunity_owner_id');
    for (const r of rows) {
      result.set(`followup:${r.id}`, {
        kind: 'followup',
        id: r.id,
        at: r.occurred_at,
        actor: r.actor,
        type: r.type,
        content: r.content,
        contactName: r.contact_name,
        opportunityTitle: opens(r.opportunity_owner_id) ? r.opportunity_title : null,
        nextFollowUpAt: r.next_follow_up_at,
        nextAction: r.next_action,
      });
    }
  }

  const stageIds = idsOf('stage');
  if (stageIds.length > 0) {
    const rows = await db('opportunity_stage_history as h')
      .join('users as u', 'u.id', 'h.changed_by')
      .join('opportunities as o', 'o.id', 'h.opportunity_id')
      .join('pipeline_stages as t', 't.id', 'h.to_stage_id')
      .leftJoin('pipeline_stages as f', 'f.id', 'h.from_stage_id')
      .whereIn('h.id', stageIds)
      .select('h.id', 'h.changed_at', 'h.opportunity_id', 'o.owner_id', 'u.display_name as actor', 'o.title', `t.${stageName} as to_name`, `f.${stageName} as from_name`);
    for (const r of rows.filter((row) => opens(row.owner_id))) {
      result.set(`stage:${r.id}`, {
        kind: 'stage',
        id: r.id,
        at: r.changed_at,
        actor: r.actor,
        opportunityId: r.opportunity_id,
        opportunityTitle: r.title,
        from: r.from_name,
        to: r.to_name,
      });
    }
  }

  const contractIds = idsOf('contract');
  if (contractIds.length > 0) {
    const rows = await db('contract_events as e')
      .join('users as u', 'u.id', 'e.actor_id')
      .join('contracts as c', 'c.id', 'e.contract_id')
      .whereIn('e.id', contractIds)
      .select('e.id', 'e.at', 'e.action', 'e.comment', 'e.contract_id', 'c.number', 'c.owner_id', 'u.display_name as actor');
    for (const r of rows.filter((row) => opens(row.owner_id))) {
      result.set(`contract:${r.id}`, {
        kind: 'contract',
        id: r.id,
        at: r.at,
        actor: r.actor,
        contractId: r.contract_id,
        number: r.number,
        action: r.action,
        comment: r.comment,
      });
    }
  }

  const paymentIds = idsOf('payment');
  if (paymentIds.length > 0) {
    const rows = await db('payment_records as p')
      .join('users as u', 'u.id', 'p.created_by')
      .join('contracts as c', 'c.id', 'p.contract_id')
      .whereIn('p.id', paymentIds)
      .select('p.id', 'p.created_at', 'p.contract_id', 'p.amount', 'p.paid_on', 'p.method', 'c.number', 'c.currency', 'c.owner_id', 'u.display_name as actor');
    for (const r of rows.filter((row) => opens(row.owner_id))) {
      result.set(`payment:${r.id}`, {
        kind: 'payment',
        id: r.id,
        at: r.created_at,
        actor: r.actor,
        contractId: r.contract_id,
        number: r.number,
        amount: String(r.amount),
        currency: r.currency,
        paidOn: r.paid_on,
        method: r.method,
      });
    }
  }
  return result;
}
