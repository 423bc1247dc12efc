import { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { forgetReferenceData } from '../db/reference-cache.js';
import { safeReturnPath } from '../shared/return-path.js';
import { isLocale } from './i18n.js';
import { LOCALE_COOKIE } from './locale-middleware.js';

export function localeRoutes({ db }: AppContext): Router {
  const router = Router();
  router.post('/locale', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const locale = body.locale;
    if (isLocale(locale)) {
      res.cookie(LOCALE_COOKIE, locale, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 * 1000 });
      if (req.user) {
        await db('users').where('id', req.user.id).update({ locale });
        forgetReferenceData(db);
      }
    }
    res.redirect(303, safeReturnPath(body.return_to));
  });
  return router;
}
