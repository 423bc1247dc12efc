import { z } from 'zod';

export const categoryInput = z.object({
  name_zh: z.string().trim().min(1).max(100),
  name_en: z.string().trim().min(1).max(100),
  /** Empty: a top-level category. */
  parent_id: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^\d{1,10}$/.test(v), 'validation.choice')
    .transform((v) => (v ? Number(v) : null)),
});
export type CategoryInput = z.infer<typeof categoryInput>;

export const CATEGORY_FIELDS = ['name_zh', 'name_en', 'parent_id'] as const;

export const moveInput = z.object({ direction: z.enum(['up', 'down']) });
