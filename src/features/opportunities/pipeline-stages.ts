import type { Knex } from 'knex';
import { cachedReference } from '../../db/reference-cache.js';
import type { Locale } from '../../i18n/i18n.js';
import { ValidationError } from '../../shared/errors.js';

// The pipeline's stages as every page reads them: a handful of rows the admin edits at
// /admin/stages, kept with the other reference data (admin writes forget the copy at once).

export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export type Stage = {
  id: number;
  code: string;
  name_zh: string;
  name_en: string;
  sort: number;
  probability: number;
  kind: StageKind;
  is_active: boolean;
};

type StageRow = Omit<Stage, 'is_active'> & { is_active: number | boolean };

export const asStage = (row: StageRow): Stage => ({
  ...row,
  sort: Number(row.sort),
  probability: Number(row.probability),
  is_active: Boolean(row.is_active),
});

/** Every stage, deactivated ones included (old records still name them), in pipeline order. */
export async function loadStages(db: Knex): Promise<Stage[]> {
  const rows = await cachedReference(db, 'pipeline_stages', (): Promise<StageRow[]> =>
    db('pipeline_stages').orderBy([{ column: 'sort' }, { column: 'id' }]),
  );
  return rows.map(asStage);
}

export function stageName(stage: Pick<Stage, 'name_zh' | 'name_en'> | undefined, locale: Locale): string {
  if (!stage) return '';
  return locale === 'en' ? stage.name_en : stage.name_zh;
}

/** Lookup helpers over one loaded list. */
export function stageIndex(stages: Stage[]) {
  const byId = new Map(stages.map((s) => [s.id, s]));
  return {
    all: stages,
    byId: (id: number | null | undefined) => (id ? byId.get(Number(id)) : undefined),
    /** What a stage picker offers: active stages, plus the record's current one if since deactivated. */
    selectable: (currentId?: number | null) => stages.filter((s) => s.is_active || s.id === Number(currentId)),
    ofKind: (kind: StageKind) => stages.filter((s) => s.kind === kind),
  };
}
export type StageIndex = ReturnType<typeof stageIndex>;

/**
 * The stage an opportunity is about to enter, share-locked inside the saving transaction: a stage
 * deleted meanwhile (admin-stages locks them all first) is a bad choice (422), not a foreign-key 500.
 */
export async function requireLiveStage(trx: Knex.Transaction, stageId: number): Promise<void> {
  if (!(await trx('pipeline_stages').where('id', stageId).forShare().first('id'))) {
    throw new ValidationError({ stage_id: { key: 'validation.choice' } });
  }
}
