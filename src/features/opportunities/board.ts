import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { assignableUsers, ownerScope } from '../../authz/data-scope.js';
import { toDbTime } from '../../db/time.js';
import { fromLocalInput, toLocalInput } from '../../i18n/format.js';
import type { Locale } from '../../i18n/i18n.js';
import { optionsHtml } from '../../shared/html.js';
import { loadDictionaries } from '../dictionaries/dictionary.repository.js';
import { enteredSince } from './closed-counts.js';
import { opportunityRepository, type BoardCardRow, type OpportunityFilter, type OpportunityRepository } from './opportunities.repository.js';
import { totalsByCurrency, type CurrencyTotal } from './opportunity-totals.js';
import { loadStages, stageName, type Stage } from './pipeline-stages.js';

/** How many cards a column shows; the rest are one click away in the filtered list. */
export const CARDS_PER_COLUMN = 10;

export type BoardColumn = { stage: Stage; name: string; count: number; totals: CurrencyTotal[]; cards: BoardCardRow[] };

/** The first moment of the current month in the user's time zone, as UTC db time. */
function monthStart(timeZone: string): string {
  const local = toLocalInput(toDbTime(), timeZone);
  return fromLocalInput(`${local.slice(0, 7)}-01T00:00`, timeZone) ?? `${local.slice(0, 7)}-01 00:00:00`;
}

/**
 * One column per active open stage (and any deactivated open stage still holding opportunities, so
 * none disappears), with its count, totals and first cards.
 */
async function loadColumns(repo: OpportunityRepository, actor: Actor, locale: Locale, stages: Stage[], filter: OpportunityFilter): Promise<BoardColumn[]> {
  // Won and lost opportunities pile up over the years; only the open stages are summed.
  const totalRows = await repo.stageTotals(actor, { ...filter, stageIds: stages.filter((s) => s.kind === 'open').map((s) => s.id) });
  const holding = new Set(totalRows.map((r) => r.stage_id));
  const columnStages = stages.filter((s) => s.kind === 'open' && (s.is_active || holding.has(s.id)));
  const cardsByStage = await repo.cards(actor, columnStages.filter((s) => holding.has(s.id)).map((s) => s.id), filter, CARDS_PER_COLUMN);
  return columnStages.map((stage) => {
    const totals = totalsByCurrency(totalRows.filter((r) => r.stage_id === stage.id));
    return {
      stage,
      name: stageName(stage, locale),
      count: totals.reduce((n, t) => n + t.count, 0),
      totals,
      cards: cardsByStage.get(stage.id) ?? [],
    };
  });
}

/** The pipeline board: its columns (loadColumns), won and lost this month, and what a card move offers. */
export async function loadBoard(db: Knex, actor: Actor, locale: Locale, ownerId: number | undefined) {
  const repo = opportunityRepository(db);
  const filter = { ownerId };
  const stages = await loadStages(db);
  const ofKind = (kind: Stage['kind']) => stages.filter((s) => s.kind === kind).map((s) => s.id);
  // The closed counts need nothing from the columns: they are asked for meanwhile.
  const scope = await ownerScope(db, actor);
  const since = monthStart(actor.timeZone);
  const [columns, closed] = await Promise.all([
    loadColumns(repo, actor, locale, stages, filter),
    enteredSince(db, scope, [...ofKind('won'), ...ofKind('lost')], since, ownerId),
  ]);
  const closedOfKind = (kind: Stage['kind']) => ofKind(kind).reduce((n, id) => n + (closed.get(id) ?? 0), 0);
  const reasons = await loadDictionaries(db, ['lost_reason'], locale);
  const moveTargets = stages.filter((s) => s.is_active).map((s) => ({ value: String(s.id), label: stageName(s, locale), kind: s.kind }));
  return {
    columns,
    wonThisMonth: closedOfKind('won'),
    lostThisMonth: closedOfKind('lost'),
    // Every card's select offers the active stages, won and lost included.
    moveTargets,
    moveOptions: optionsHtml(moveTargets),
    lostReasons: reasons.active('lost_reason'),
    owners: actor.dataScope === 'own' ? [] : await assignableUsers(db, actor),
    ownerId,
  };
}
