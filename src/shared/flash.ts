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

/**
 * 303 to the next page with a message. The session (and the message in it) is saved before the
 * redirect leaves: a browser follows a 303 as soon as it has the headers, and with the store's
 * write still under way the next page would read the old session and miss the message.
 */
export function redirectWithFlash(
  req: Request,
  res: Response,
  url: string,
  message: string,
  type: Flash['type'] = 'success',
): Promise<void> {
  flash(req, type, message);
  return new Promise((resolve, reject) => {
    req.session.save((err) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      res.redirect(303, url);
      resolve();
    });
  });
}
