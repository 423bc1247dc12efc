import type { Knex } from 'knex';
import { toDbTime } from '../db/time.js';

export type AuditAction = 'create' | 'update' | 'delete' | 'restore';
export type FieldChanges = Record<string, { before: unknown; after: unknown }>;

/** The fields whose values differ between two versions of a record. */
export function changedFields(
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
  fields: readonly string[],
): FieldChanges {
  const changes: FieldChanges = {};
  for (const field of fields) {
    const b = before ? (before[field] ?? null) : null;
    const a = after[field] ?? null;
    if (String(b ?? '') !== String(a ?? '')) changes[field] = { before: b, after: a };
  }
  return changes;
}

/** Writes one audit row; called inside the transaction of the change it records. */
export async function writeAudit(
  trx: Knex.Transaction,
  entry: {
    entity: string;
    entityId: number;
    action: AuditAction;
    actorId: number | null;
    changes?: FieldChanges;
    ip?: string | null;
  },
): Promise<void> {
  await trx('audit_log').insert({
    entity: entry.entity,
    entity_id: entry.entityId,
    action: entry.action,
    actor_id: entry.actorId,
    changes: entry.changes ? JSON.stringify(entry.changes) : null,
    ip: entry.ip ?? null,
    at: toDbTime(),
  });
}

export type AuditEntry = {
  id: number;
  action: AuditAction;
  actor_name: string | null;
  at: string;
  changes: FieldChanges | null;
};

export async function historyOf(db: Knex, entity: string, entityId: number, limit = 50): Promise<AuditEntry[]> {
  const rows = await db('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .where({ 'a.entity': entity, 'a.entity_id': entityId })
    .orderBy('a.id', 'desc')
    .limit(limit)
    .select('a.id', 'a.action', 'a.at', 'a.changes', 'u.display_name as actor_name');
  return rows.map((r) => ({ ...r, changes: r.changes ? JSON.parse(r.changes) : null }));
}
