import { z } from 'zod';
import { checkbox, sortNumber } from '../../shared/fields.js';
import { DICTIONARY_TYPES } from '../dictionaries/dictionary.repository.js';

const label = z.string().trim().min(1).max(100);

/** What can change once a value exists; the code cannot, since records store it. */
export const dictionaryEditInput = z.object({
  label_zh: label,
  label_en: label,
  sort: sortNumber,
  is_active: checkbox,
});
export type DictionaryEditInput = z.infer<typeof dictionaryEditInput>;

export const dictionaryNewInput = dictionaryEditInput.extend({
  type: z.enum(DICTIONARY_TYPES),
  code: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9_-]+$/, 'validation.format'),
});
export type DictionaryNewInput = z.infer<typeof dictionaryNewInput>;

export const moveInput = z.object({ direction: z.enum(['up', 'down']) });

/** The fields the audit trail records for a dictionary value, in this order. */
export const DICTIONARY_FIELDS = ['type', 'code', 'label_zh', 'label_en', 'sort', 'is_active'] as const;
export const EDIT_FIELDS = ['label_zh', 'label_en', 'sort', 'is_active'] as const;

export const DICTIONARY_SORT_COLUMNS = ['sort', 'code', 'label_zh', 'label_en'] as const;
export type DictionarySortColumn = (typeof DICTIONARY_SORT_COLUMNS)[number];

export const dictionaryListQuery = z.object({
  type: z.enum(DICTIONARY_TYPES).catch(DICTIONARY_TYPES[0]),
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((v) => (v ? v : undefined)),
  sort: z.enum(DICTIONARY_SORT_COLUMNS).catch('sort'),
  dir: z.enum(['asc', 'desc']).catch('asc'),
});
export type DictionaryListQuery = z.infer<typeof dictionaryListQuery>;
