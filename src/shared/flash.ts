import type { NextFunction, Request, Response } from 'express';

export type Flash = { type: 'success' | 'danger' | 'warning' | 'info'; message: string };

declare module 'express-session' {
  interface SessionData {
    flash?: Flash[];
  }
}

/** Queues a message for the next page the user sees (after the 303 redirect). */
export function flash(req: Request, type: Flash['type'], message: string): void {
  req.session.flash = [...(req.session.flash ?? []), { type, message }];
}

/** Hands queued messages to the page being rendered and forgets them. */
export function flashMiddleware(req: Request, res: Response, next: NextFunction): void {
  res.locals.flash = req.session?.flash ?? [];
  if (req.session?.flash) delete req.session.flash;
  next();
}

export function redirectWithFlash(req: Request, res: Response, url: string, message: string): void {
  flash(req, 'success', message);
  res.redirect(303, url);
}
