import { z } from 'zod';
import { optionalId } from '../../shared/ids.js';

export const categoryInput = z.object({
  name_zh: z.string().trim().min(1).max(100),
  name_en: z.string().trim().min(1).max(100),
  /** Empty: a top-level category. */
  parent_id: optionalId,
});
export type CategoryInput = z.infer<typeof categoryInput>;

export const CATEGORY_FIELDS = ['name_zh', 'name_en', 'parent_id'] as const;

export const moveInput = z.object({ direction: z.enum(['up', 'down']) });
