import type { Knex } from 'knex';
import { insertRow } from '../../db/sql.js';
import { updateIfVersion } from '../../shared/version.js';
import { asStage, type Stage } from '../opportunities/pipeline-stages.js';

/** A stage as the admin edits it: with the version its edit form carries. */
export type VersionedStage = Stage & { version: number };

const asVersionedStage = (row: Parameters<typeof asStage>[0] & { version: number | string }): VersionedStage => ({
  ...asStage(row),
  version: Number(row.version),
});

// The admin's reads and writes of pipeline_stages; pages elsewhere read stages through
// opportunities/pipeline-stages.ts (cached).
export function stageAdminRepository(db: Knex) {
  return {
    async list(): Promise<VersionedStage[]> {
      return (await db('pipeline_stages').orderBy([{ column: 'sort' }, { column: 'id' }])).map(asVersionedStage);
    },

    async findById(id: number): Promise<VersionedStage | undefined> {
      const row = await db('pipeline_stages').where('id', id).first();
      return row ? asVersionedStage(row) : undefined;
    },

    /** Codes are compared without case, as MySQL's collation (and so the unique index) does. */
    async codeTaken(code: string): Promise<boolean> {
      return !!(await db('pipeline_stages').whereRaw('lower(code) = ?', [code.toLowerCase()]).first('id'));
    },

    async inOrder(trx: Knex.Transaction): Promise<VersionedStage[]> {
      return (await trx('pipeline_stages').orderBy([{ column: 'sort' }, { column: 'id' }])).map(asVersionedStage);
    },

    async nextSort(trx: Knex.Transaction): Promise<number> {
      const row = await trx('pipeline_stages').max({ top: 'sort' }).first();
      return Number(row?.top ?? 0) + 10;
    },

    async insert(trx: Knex.Transaction, row: Omit<Stage, 'id'> & { created_at: string; updated_at: string }): Promise<number> {
      return insertRow(trx, 'pipeline_stages', row);
    },

    /** Writes only if the version still matches, counting it up; 0 means someone else saved first. */
    updateIfVersion(
      trx: Knex.Transaction,
      id: number,
      version: number,
      changes: Partial<Omit<Stage, 'id' | 'code'>> & { updated_at: string },
    ): Promise<number> {
      return updateIfVersion(trx, 'pipeline_stages', id, version, changes);
    },

    async remove(trx: Knex.Transaction, id: number): Promise<void> {
      await trx('pipeline_stages').where('id', id).delete();
    },

    /** Does any opportunity (deleted ones too: they can come back) or any history row name this stage? */
    async isInUse(trx: Knex, id: number): Promise<boolean> {
      if (await trx('opportunities').where('stage_id', id).first(trx.raw('1 as found'))) return true;
      const history = await trx('opportunity_stage_history')
        .where('to_stage_id', id)
        .orWhere('from_stage_id', id)
        .first(trx.raw('1 as found'));
      return !!history;
    },

    /** How many active stages of each closing kind exist. */
    async activeClosingKinds(trx: Knex): Promise<{ won: number; lost: number }> {
      const rows: Array<{ kind: string; n: number | string }> = await trx('pipeline_stages')
        .where('is_active', true)
        .whereIn('kind', ['won', 'lost'])
        .groupBy('kind')
        .select('kind', trx.raw('count(*) as n'));
      const count = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
      return { won: count('won'), lost: count('lost') };
    },
  };
}
