import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { resource } from '../../kernel/web/resource.js';
import { dictionaries } from './dictionaries.entity.js';

export { dictionaries };

/** /admin/dictionaries: values are edited from their dictionary's list, which has no page per value. */
export function adminDictionaryRoutes({ db }: AppContext): Router {
  const router = Router();
  resource(router, db, dictionaries, { path: '/admin/dictionaries', except: ['show'] });
  return router;
}
