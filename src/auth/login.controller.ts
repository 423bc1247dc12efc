import type { NextFunction, Request, Response } from 'express';
import type { createPassport } from './passport.js';

type Authenticator = ReturnType<typeof createPassport>;
import type { LoginOutcome } from './lockout.js';
import { safeReturnPath } from '../shared/return-path.js';
import { renderPage } from '../shared/render.js';

type LoginForm = { username: string; next: string; error?: string };

function showLoginPage(res: Response, form: LoginForm, status = 200): Promise<void> {
  return renderPage(res, 'auth/views/login', { title: res.locals.t('login.title'), form }, status);
}

export function loginController(passport: Authenticator) {
  return {
    show: async (req: Request, res: Response) => {
      if (req.user) return res.redirect(303, '/');
      await showLoginPage(res, { username: '', next: safeReturnPath(req.query.next) });
    },

    login: (req: Request, res: Response, next: NextFunction) => {
      const body = req.body as Record<string, string>;
      const form: LoginForm = { username: String(body.username ?? ''), next: safeReturnPath(body.next) };
      passport.authenticate('local', (err: unknown, user: Express.User | false, info?: LoginOutcome) => {
        if (err) return next(err);
        if (!user) {
          const error =
            info && !info.ok && info.reason === 'locked'
              ? req.t('login.locked', { time: res.locals.fmt.dateTime(info.until) })
              : req.t('login.invalid');
          return showLoginPage(res, { ...form, error }, 401).catch(next);
        }
        // passport 0.7 regenerates the session id here, so a pre-login id cannot be fixated.
        req.login(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          res.redirect(303, form.next);
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
