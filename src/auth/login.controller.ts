import type { NextFunction, Request, Response } from 'express';
import type { createPassport } from './passport.js';

type Authenticator = ReturnType<typeof createPassport>;
import type { LoginOutcome } from './lockout.js';
import type { LoginLimits } from './login-limits.js';
import { PasswordChecksBusyError } from './passwords.js';
import { safeReturnPath } from '../shared/return-path.js';
import { renderPage } from '../shared/render.js';

type LoginForm = { username: string; next: string; error?: string };

function showLoginPage(res: Response, form: LoginForm, status = 200): Promise<void> {
  return renderPage(res, 'auth/views/login', { title: res.locals.t('login.title'), form }, status);
}

export function loginController(passport: Authenticator, limits: LoginLimits) {
  return {
    show: async (req: Request, res: Response) => {
      if (req.user) return res.redirect(303, '/');
      await showLoginPage(res, { username: '', next: safeReturnPath(req.query.next) });
    },

    login: async (req: Request, res: Response, next: NextFunction) => {
      const body = req.body as Record<string, string>;
      const form: LoginForm = { username: String(body.username ?? ''), next: safeReturnPath(body.next) };
      // Refused before any password work: the 429 says when to try again and keeps the form.
      const verdict = await limits.consume(req.ip ?? null, form.username);
      if (!verdict.ok) {
        res.set('Retry-After', String(verdict.retryAfterSeconds));
        const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
        return showLoginPage(res, { ...form, error: req.t('login.rate_limited', { minutes }) }, 429);
      }
      passport.authenticate('local', (err: unknown, user: Express.User | false, info?: LoginOutcome) => {
        if (err instanceof PasswordChecksBusyError) {
          res.set('Retry-After', '1');
          return showLoginPage(res, { ...form, error: req.t('login.busy') }, 503).catch(next);
        }
        if (err) return next(err);
        if (!user) {
          const refused = info && !info.ok ? info : undefined;
          if (refused?.reason === 'throttled') {
            res.set('Retry-After', '60');
            return showLoginPage(res, { ...form, error: req.t('login.throttled') }, 429).catch(next);
          }
          const error =
            refused?.reason === 'locked'
              ? req.t('login.locked', { time: res.locals.fmt.dateTime(refused.until) })
              : req.t('login.invalid');
          return showLoginPage(res, { ...form, error }, 401).catch(next);
        }
        // passport 0.7 regenerates the session id here, so a pre-login id cannot be fixated.
        req.login(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          limits.succeeded(req.ip ?? null, form.username).then(() => res.redirect(303, form.next), next);
        });
      })(req, res, next);
    },

    logout: (req: Request, res: Response, next: NextFunction) => {
      req.logout((err) => {
        if (err) return next(err);
        req.session.destroy(() => res.redirect(303, '/login'));
      });
    },
  };
}
