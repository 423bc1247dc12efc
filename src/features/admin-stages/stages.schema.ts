import { z } from 'zod';
import { checkbox, sortNumber } from '../../shared/fields.js';
import { STAGE_KINDS } from '../opportunities/pipeline-stages.js';

const name = z.string().trim().min(1).max(100);

export const stageEditInput = z.object({
  name_zh: name,
  name_en: name,
  sort: sortNumber,
  probability: z
    .string()
    .trim()
    .regex(/^\d{1,3}$/, 'validation.format')
    .transform(Number)
    .refine((n) => n >= 0 && n <= 100, 'stages.probability_range'),
  kind: z.enum(STAGE_KINDS),
  is_active: checkbox,
});
export type StageEditInput = z.infer<typeof stageEditInput>;

/** The code is fixed once the stage exists (reports and imports may name it). */
export const stageNewInput = stageEditInput.extend({
  code: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9_-]+$/, 'validation.format'),
});
export type StageNewInput = z.infer<typeof stageNewInput>;

export const moveInput = z.object({ direction: z.enum(['up', 'down']) });

/** The fields the audit trail records for a stage, in this order. */
export const STAGE_FIELDS = ['code', 'name_zh', 'name_en', 'sort', 'probability', 'kind', 'is_active'] as const;
export const EDIT_FIELDS = ['name_zh', 'name_en', 'sort', 'probability', 'kind', 'is_active'] as const;
