import type { Knex } from 'knex';
import { historyOf, type AuditEntry } from '../../shared/audit.js';
import type { AnyEntity } from '../entity/define-entity.js';
import { want, type LookupRequest } from '../entity/lookups.js';
import type { ViewContext } from '../entity/view-context.js';

export type HistoryLine = { actor: string; at: string; action: string; changes: Array<{ field: string; before: string; after: string }> };

export const auditEntriesOf = (db: Knex, e: AnyEntity, id: number): Promise<AuditEntry[]> => historyOf(db, e.name, id);

/** Adds the users, dictionaries and records the history's values name. */
export function wantHistory(wanted: LookupRequest, e: AnyEntity, entries: AuditEntry[]): LookupRequest {
  for (const entry of entries) {
    for (const [key, change] of Object.entries(entry.changes ?? {})) {
      const f = e.fields[key];
      if (f) for (const v of [change.before, change.after]) want(wanted, f, v);
    }
  }
  return wanted;
}

/** Audit rows in the reader's words: field labels, names for ids, local times, dictionary labels; only the fields `visible`. */
export function describeHistory(e: AnyEntity, entries: AuditEntry[], c: ViewContext, visible: (key: string) => boolean = () => true): HistoryLine[] {
  const shown = (key: string, value: unknown) => {
    const text = e.fields[key] ? e.fields[key].display(value, c) : String(value ?? '');
    return text === '' ? '—' : text;
  };
  return entries.map((entry) => ({
    actor: entry.actor_name ?? '—',
    at: c.fmt.dateTime(entry.at),
    action: c.t(`history.action.${entry.action}`),
    changes: Object.entries(entry.changes ?? {})
      .filter(([key]) => visible(key))
      .map(([key, change]) => ({ field: c.t(e.labelKey(key)), before: shown(key, change.before), after: shown(key, change.after) })),
  }));
}
