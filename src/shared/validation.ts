import type { z } from 'zod';
import type { FieldErrors } from './errors.js';

// zod reports issues by code; here each code becomes a translation key once, so schemas stay free
// of UI text and every form shows the same words for the same mistake.
// A schema's own message is a translation key ('validation.money', 'contacts.error.birthday');
// zod's default messages are sentences, which never look like one.
const TRANSLATION_KEY = /^[a-z][a-z_]*(\.[a-z_]+)+$/;

function messageFor(issue: z.core.$ZodIssue): FieldErrors[string] {
  if (TRANSLATION_KEY.test(issue.message)) {
    const params = issue.code === 'custom' ? (issue.params as Record<string, string | number> | undefined) : undefined;
    return params ? { key: issue.message, params } : { key: issue.message };
  }
  switch (issue.code) {
    case 'too_small':
      return Number(issue.minimum) <= 1 && issue.origin === 'string'
        ? { key: 'validation.required' }
        : { key: 'validation.too_short', params: { min: Number(issue.minimum) } };
    case 'too_big':
      return { key: 'validation.too_long', params: { max: Number(issue.maximum) } };
    case 'invalid_format':
      return { key: issue.format === 'email' ? 'validation.email' : 'validation.format' };
    case 'invalid_value':
      return { key: 'validation.choice' };
    case 'invalid_type':
      return { key: issue.input === undefined ? 'validation.required' : 'validation.format' };
    default:
      return { key: 'validation.format' };
  }
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export function parseForm<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    if (!errors[field]) errors[field] = messageFor(issue);
  }
  return { ok: false, errors };
}
