import { doubleCsrf } from 'csrf-csrf';
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../config.js';

// CSRF protection without server state (signed double submit, csrf-csrf): the token is an HMAC,
// under the session secret, of a random value and of the visitor's session id once logged in. It is
// kept in a cookie, and every state-changing form posts it back in the `_csrf` field (CONTRACT.md).
// A visitor who is not logged in, the login form included, thus needs no stored session.
export const CSRF_COOKIE = 'crm.csrf';

export function createCsrf(config: Pick<Config, 'sessionSecret' | 'isProduction'>) {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => config.sessionSecret,
    // A logged-in visitor's tokens hold to their session: a token from before the login, or from
    // another session, is refused.
    getSessionIdentifier: (req: Request) => (req.user ? req.sessionID : ''),
    cookieName: CSRF_COOKIE,
    cookieOptions: { httpOnly: true, sameSite: 'lax', path: '/', secure: false },
    getCsrfTokenFromRequest: (req: Request) => {
      const token = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof token === 'string' ? token : undefined;
    },
  });

  /** The page's token, made when a page renders one; the cookie is Secure when the request came over HTTPS. */
  function tokenFor(req: Request, res: Response): string {
    return generateCsrfToken(req, res, { cookieOptions: { secure: config.isProduction && req.secure } });
  }

  /** Gives pages `csrfToken`, computed only when a view reads it (a redirect sets no cookie). */
  function csrfTokenLocal(req: Request, res: Response, next: NextFunction): void {
    let token: string | undefined;
    Object.defineProperty(res.locals, 'csrfToken', {
      enumerable: true,
      configurable: true,
      get: () => (token ??= tokenFor(req, res)),
    });
    next();
  }

  return { csrfProtection: doubleCsrfProtection, csrfTokenLocal };
}
