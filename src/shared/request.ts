import type { Request } from 'express';

/** The `:id` of a resource route, read by the one id parser (shared/ids.ts). */
export { idParam } from './ids.js';

/** What an audit row records about the request that made a change. */
export type RequestInfo = { ip: string | null };

export function requestInfo(req: Request): RequestInfo {
  return { ip: req.ip ?? null };
}

/** What the user typed into the named fields, kept as typed to show a form again. */
export function typedValues(body: unknown, fields: readonly string[]): Record<string, string> {
  const source = (body ?? {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = source[field];
    values[field] = typeof value === 'string' ? value : '';
  }
  return values;
}
