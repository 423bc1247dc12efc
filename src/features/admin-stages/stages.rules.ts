import type { Knex } from 'knex';
import type { Hook } from '../../kernel/data/hooks.js';
import type { Row } from '../../kernel/entity/define-entity.js';
import { ValidationError } from '../../shared/errors.js';

// What is a pipeline stage's own: opportunities and their history keep naming a stage, so one in
// use is deactivated rather than deleted; and the pipeline always keeps an active won and lost
// stage, else nothing could be won or lost any more.

/** Does any opportunity (deleted ones too: they can come back) or any history row name this stage? */
export async function stageInUse(db: Knex, stage: Row): Promise<string | null> {
  const found = (query: Knex.QueryBuilder) => query.first(db.raw('1 as found'));
  const named =
    (await found(db('opportunities').where('stage_id', stage.id))) ||
    (await found(db('opportunity_stage_history').where('to_stage_id', stage.id).orWhere('from_stage_id', stage.id)));
  return named ? 'stages.in_use' : null;
}

export const stageHooks: Hook[] = [
  {
    // Checked after the change, in its transaction and under the table's lock, so two admins
    // deactivating the last two won stages at once cannot both pass, and a refusal is rolled back.
    async after(c) {
      if (c.op.kind !== 'delete' && !('kind' in c.changes) && !('is_active' in c.changes)) return;
      const rows: Array<{ kind: string }> = await c.trx('pipeline_stages').where('is_active', true).whereIn('kind', ['won', 'lost']).distinct('kind');
      const missing = (['won', 'lost'] as const).filter((kind) => !rows.some((r) => r.kind === kind));
      if (missing.length === 0) return;
      const problem = { key: missing.length === 1 ? `stages.needs_${missing[0]}` : 'stages.keeps_closing' };
      throw new ValidationError({ kind: problem, is_active: problem });
    },
  },
];
