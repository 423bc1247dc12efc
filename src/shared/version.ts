import type { Knex } from 'knex';
import { z } from 'zod';

// Optimistic locking, as every edit form does it (CONTRACT.md): the form carries the record's
// `version`; a save writes only while the row is still at that version and moves it to the next,
// so a save made on an older version changes nothing and answers 409 (ConflictError).

/** The hidden `version` field of an edit form. */
export const versionInput = z.object({ version: z.coerce.number().int().min(1) });

/** Writes only if the row is still at `version`, and counts it one up; 0 means someone else saved first. */
export function updateIfVersion(trx: Knex, table: string, id: number, version: number, changes: object): Promise<number> {
  return trx(table)
    .where({ id, version })
    .update({ ...changes, version: version + 1 });
}

/**
 * What a 409 page shows beside the user's values: the saved values (as the form's strings) and the
 * fields where they differ from what the user typed.
 */
export function conflictOf(
  saved: Record<string, string>,
  typed: Record<string, string>,
  fields: readonly string[],
): { saved: Record<string, string>; differing: string[] } {
  return { saved, differing: fields.filter((f) => f !== 'version' && saved[f] !== (typed[f] ?? '')) };
}
