import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError } from '../shared/errors.js';
import type { Actor } from './actor.js';
import type { Permission } from './permissions.js';

/** Sends anonymous visitors to the login page, remembering where they wanted to go. */
export function requireLogin(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  const nextPath = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
  res.redirect(303, `/login${nextPath}`);
}

/** The one permission check for routes: logged in, and the role grants the key (else 403). */
export function can(permission: Permission): RequestHandler {
  return (req, res, next) => {
    if (!req.user) return requireLogin(req, res, next);
    if (!req.user.permissions.has(permission)) return next(new ForbiddenError(`Missing permission ${permission}`));
    next();
  };
}

/** The actor of a request behind requireLogin / can(). */
export function actorOf(req: Request): Actor {
  if (!req.user) throw new ForbiddenError('Not logged in');
  return req.user;
}
