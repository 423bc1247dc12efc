import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { typedFormValues, type FormValues } from '../../kernel/web/form-values.js';
import { route, url } from '../../kernel/web/routes.js';
import { ConflictError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { renderPage } from '../../shared/render.js';
import { requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { adminSettingsService, SETTING_FIELDS, settingsInput } from './admin-settings.service.js';

// `/admin/settings`: installation-wide settings (for now, My day's "not contacted for N days"). Not a
// record, so no entity: one form, shown by the kernel's form view with its fields' own inputs.
export function adminSettingsRoutes({ db }: AppContext): Router {
  const router = Router();
  const service = adminSettingsService(db);
  const keys = Object.keys(SETTING_FIELDS) as Array<keyof typeof SETTING_FIELDS>;

  async function show(req: Request, res: Response, values: FormValues, status = 200, errors: FieldErrors = {}, conflict?: { differing: Array<{ label: string; value: string }> }) {
    const fields = keys.map((key) => ({ key, field: SETTING_FIELDS[key], label: req.t(`settings.${key}`) }));
    await renderPage(
      res,
      'kernel/form',
      { title: req.t('settings.title'), name: 'settings', plural: 'settings', mode: 'edit', parts: {}, parent: undefined, notice: undefined, choices: {}, fields, values, errors, conflict, action: url('settings.update'), cancelUrl: '/' },
      status,
    );
  }

  route(router, { name: 'settings.edit', method: 'get', path: '/admin/settings', can: 'admin.settings', handler: async (req, res) => show(req, res, await service.current()) });

  route(router, {
    name: 'settings.update',
    method: 'post',
    path: '/admin/settings',
    can: 'admin.settings',
    handler: async (req, res) => {
      const values = typedFormValues(req.body, keys);
      const parsed = parseForm(settingsInput, req.body);
      if (!parsed.ok) return show(req, res, values, 422, parsed.errors);
      try {
        await service.save(actorOf(req), parsed.data, requestInfo(req));
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        // The user's values stay and the saved ones are named; the version becomes the current one, so saving again overwrites on purpose.
        const saved = await service.current();
        const differing = keys.filter((k) => saved[k] !== values[k]).map((k) => ({ label: req.t(`settings.${k}`), value: saved[k] }));
        return show(req, res, { ...values, version: saved.version }, 409, {}, { differing });
      }
      await redirectWithFlash(req, res, url('settings.edit'), req.t('settings.saved'));
    },
  });
  return router;
}
