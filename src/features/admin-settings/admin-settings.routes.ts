import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf, can } from '../../authz/guards.js';
import { ConflictError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { renderPage } from '../../shared/render.js';
import { requestInfo, typedValues } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { adminSettingsService, SETTING_FIELDS, settingsInput, type SettingsValues } from './admin-settings.service.js';

// `/admin/settings`: installation-wide settings (for now, My day's "not contacted for N days").
export function adminSettingsRoutes({ db }: AppContext): Router {
  const router = Router();
  const service = adminSettingsService(db);

  const show = (req: Request, res: Response, values: SettingsValues, status = 200, errors: FieldErrors = {}, conflict = false) =>
    renderPage(res, 'features/admin-settings/views/edit', { title: req.t('settings.title'), values, errors, conflict }, status);

  router.get('/admin/settings', can('admin.settings'), async (req, res) => {
    await show(req, res, await service.current());
  });

  router.post('/admin/settings', can('admin.settings'), async (req, res) => {
    const values = typedValues(req.body, [...SETTING_FIELDS, 'version']) as SettingsValues;
    const parsed = parseForm(settingsInput, req.body);
    if (!parsed.ok) return show(req, res, values, 422, parsed.errors);
    try {
      await service.save(actorOf(req), parsed.data, requestInfo(req));
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // The user's values stay; the version becomes the current one, so saving again overwrites on purpose.
      return show(req, res, { ...values, version: (await service.current()).version }, 409, {}, true);
    }
    await redirectWithFlash(req, res, '/admin/settings', req.t('settings.saved'));
  });
  return router;
}
