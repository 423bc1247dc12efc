import { nextDocumentNumber, prepareDocumentNumbers } from '../../db/document-number.js';
import type { Hook } from './hooks.js';

/**
 * A hook numbering a new record `<prefix>-<year>-000123` from a counter row per prefix and year:
 * the row is made before the transaction (db/document-number.ts says why), and incremented as one
 * of the write's first locks, so the number is among the values the create's audit row records.
 */
export function numbering(prefix: string, column: string): Hook {
  const hook: Hook = {
    prepare: async (db, op, actor) => (op.kind === 'create' ? prepareDocumentNumbers(db, prefix, actor.timeZone) : undefined),
    async lock(c) {
      if (c.op.kind === 'create') c.values[column] = await nextDocumentNumber(c.trx, prefix, c.prepared.get(hook) as number);
    },
  };
  return hook;
}
