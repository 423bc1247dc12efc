import { defineEntity } from '../../kernel/entity/define-entity.js';
import { boolean, enumOf, integer, text } from '../../kernel/entity/fields.js';
import { STAGE_KINDS } from '../opportunities/pipeline-stages.js';
import { stageHooks, stageInUse } from './stages.rules.js';

// The pipeline's stages, in the board's order. The code is fixed once the stage exists (reports and
// imports may name it). Every write locks all stages first (a dozen rows): the rules compare them,
// and an opportunity's save share-locks its stage (requireLiveStage).
export const stages = defineEntity({
  name: 'stage',
  plural: 'stages',
  table: 'pipeline_stages',
  fields: {
    code: text(40, { required: true, pattern: /^[A-Za-z0-9_-]+$/, width: 4, createOnly: true }),
    name_zh: text(100, { required: true, width: 4, lang: 'zh-CN' }),
    name_en: text(100, { required: true, width: 4, lang: 'en' }),
    kind: enumOf(STAGE_KINDS, 'stages.kind', { width: 3 }),
    probability: { ...integer(0, 100, { required: true }), display: (v: unknown) => `${v ?? 0}%` },
    sort: integer(0, 999_999),
    is_active: boolean({ width: 3, auditAsBoolean: true }),
  },
  titleColumn: 'name_zh',
  titleColumnFor: (locale) => (locale === 'en' ? 'name_en' : 'name_zh'),
  scope: { kind: 'global' },
  softDelete: false,
  referenceData: true,
  lockTable: true,
  ordered: { column: 'sort' },
  activeColumn: 'is_active',
  permissions: { view: 'admin.stages', create: 'admin.stages', edit: 'admin.stages', delete: 'admin.stages' },
  uniques: [{ key: { table: 'pipeline_stages', columns: ['code'] }, field: 'code', messageKey: 'stages.code_taken', ignoreCase: true }],
  inUse: stageInUse,
  hooks: stageHooks,
  defaults: () => ({ kind: 'open', probability: '0', is_active: '1' }),
  list: {
    columns: ['sort', 'code', 'name_zh', 'name_en', 'probability', 'kind', 'is_active'],
    sorts: { sort: 'pipeline_stages.sort' },
    defaultSort: 'sort',
    defaultDir: 'asc',
    rowTest: (row) => `stage-${row.code}`,
  },
});
