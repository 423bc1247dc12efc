import type { Knex } from 'knex';
import type { Translate } from '../../i18n/i18n.js';
import type { AuditEntry } from '../../shared/audit.js';
import type { DictionaryType, Labels } from '../dictionaries/dictionary.repository.js';

const dictionaryOf: Record<string, DictionaryType> = {
  status: 'customer_status',
  level: 'customer_level',
  source: 'customer_source',
  industry: 'industry',
};

export type HistoryLine = {
  actor: string;
  at: string;
  action: string;
  changes: Array<{ field: string; before: string; after: string }>;
};

type Formatters = { dateTime: (value: string | null) => string };

/** Audit rows in the reader's words: field names, dictionary labels, owner names, local times. */
export async function describeHistory(
  db: Knex,
  entries: AuditEntry[],
  labels: Labels,
  fmt: Formatters,
  t: Translate,
): Promise<HistoryLine[]> {
  const ownerIds = new Set<number>();
  for (const e of entries) {
    const owner = e.changes?.owner_id;
    if (owner?.before) ownerIds.add(Number(owner.before));
    if (owner?.after) ownerIds.add(Number(owner.after));
  }
  const owners: Array<{ id: number; display_name: string }> = ownerIds.size
    ? await db('users').whereIn('id', [...ownerIds]).select('id', 'display_name')
    : [];
  const ownerName = new Map(owners.map((o) => [o.id, o.display_name]));

  const show = (field: string, value: unknown): string => {
    if (value === null || value === undefined || value === '') return '—';
    if (field === 'owner_id') return ownerName.get(Number(value)) ?? String(value);
    if (field === 'next_follow_up_at') return fmt.dateTime(String(value));
    if (field === 'kind') return t(`customers.kind.${String(value)}`);
    if (dictionaryOf[field]) return labels(dictionaryOf[field], String(value));
    return String(value);
  };

  return entries.map((e) => ({
    actor: e.actor_name ?? '—',
    at: fmt.dateTime(e.at),
    action: t(`history.action.${e.action}`),
    changes: Object.entries(e.changes ?? {}).map(([field, change]) => ({
      field: t(`customers.field.${field}`),
      before: show(field, change.before),
      after: show(field, change.after),
    })),
  }));
}
