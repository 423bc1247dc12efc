import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf, requireLogin } from '../../authz/guards.js';
import { ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { renderPage } from '../../shared/render.js';
import { requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { ownPasswordInput } from './password.schema.js';
import { changeOwnPassword } from './password.service.js';

const VIEWS = 'features/profile/views';

/** The logged-in user's own account: for now, changing their password. */
export function profileRoutes({ db }: AppContext): Router {
  const router = Router();

  function showPasswordForm(req: Request, res: Response, errors: FieldErrors = {}, status = 200) {
    return renderPage(res, `${VIEWS}/password`, { title: req.t('profile.password.title'), errors }, status);
  }

  // The account page holds only the password form so far.
  router.get('/profile', requireLogin, (_req, res) => res.redirect(303, '/profile/password'));

  router.get('/profile/password', requireLogin, async (req, res) => {
    await showPasswordForm(req, res);
  });

  router.post('/profile/password', requireLogin, async (req, res) => {
    const parsed = parseForm(ownPasswordInput, req.body);
    if (!parsed.ok) return showPasswordForm(req, res, parsed.errors, 422);
    try {
      await changeOwnPassword(db, actorOf(req), req.sessionID, parsed.data, requestInfo(req));
    } catch (err) {
      if (err instanceof ValidationError) return showPasswordForm(req, res, err.fields, 422);
      throw err;
    }
    await redirectWithFlash(req, res, '/', req.t('profile.password.changed'));
  });

  return router;
}
