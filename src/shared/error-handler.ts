import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { translator } from '../i18n/i18n.js';
import { HttpError, NotFoundError } from './errors.js';
import { renderPage } from './render.js';

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError());
}

// An error raised before the page middlewares ran (a malformed body, say) still gets a whole page.
function fallbackLocals(req: Request): Record<string, unknown> {
  return {
    locale: 'zh-CN',
    t: translator('zh-CN'),
    user: null,
    hasPermission: () => false,
    csrfToken: '',
    flash: [],
    currentPath: req.path,
    currentUrl: req.originalUrl,
    errors: {},
  };
}

function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  const candidate = (err as { status?: unknown; statusCode?: unknown } | null) ?? {};
  const status = Number(candidate.status ?? candidate.statusCode);
  return status >= 400 && status < 600 ? status : 500;
}

/** Maps every error to its status and a page in the user's language; stack traces only outside production. */
export function errorHandler(logger: Logger, showStack: boolean) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const status = statusOf(err);
    if (status >= 500) logger.error({ err, reqId: req.id }, 'request failed');
    for (const [key, value] of Object.entries(fallbackLocals(req))) res.locals[key] ??= value;
    const shownStatus = [400, 401, 403, 404, 409, 422].includes(status) ? status : 500;
    const stack = showStack && status >= 500 && err instanceof Error ? err.stack : null;
    renderPage(res, 'errors/error', { title: String(status), status: shownStatus, stack }, status).catch((renderErr) => {
      logger.error({ err: renderErr }, 'error page failed');
      res.status(status).type('text').send(String(status));
    });
  };
}
