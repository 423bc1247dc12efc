import type { NextFunction, Request, Response } from 'express';

/**
 * Nothing the app renders may be kept by a browser or a proxy: pages show one user's records and
 * carry a CSRF token, and a shared computer's back button or a cache must not show them to the
 * next person. Only the static assets, served before this, stay cacheable.
 */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
