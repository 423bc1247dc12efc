import type { NextFunction, Request, Response } from 'express';
import { hasPermission } from '../authz/actor.js';
import type { Permission } from '../authz/permissions.js';

/** This page's URL with some query parameters replaced (sorting, paging); empty ones are dropped. */
function urlWith(req: Request, overrides: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  const merged = { ...(req.query as Record<string, unknown>), ...overrides };
  for (const [key, value] of Object.entries(merged)) {
    if (value !== undefined && value !== null && value !== '' && typeof value !== 'object') params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `${req.path}?${query}` : req.path;
}

/** What the layout and every view may use besides their own data (csrfToken comes from csrf.ts). */
export function pageLocals(req: Request, res: Response, next: NextFunction): void {
  res.locals.user = req.user ?? null;
  res.locals.hasPermission = (permission: Permission) => hasPermission(req.user, permission);
  res.locals.currentPath = req.path;
  res.locals.currentUrl = req.originalUrl;
  res.locals.title = '';
  res.locals.errors = {};
  res.locals.urlWith = (overrides: Record<string, string | number | undefined>) => urlWith(req, overrides);
  next();
}
