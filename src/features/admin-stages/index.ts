import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { resource } from '../../kernel/web/resource.js';
import { stages } from './stages.entity.js';

export { stages };

/** /admin/stages: stages are edited from the list, which has no page per stage. */
export function adminStageRoutes({ db }: AppContext): Router {
  const router = Router();
  resource(router, db, stages, { path: '/admin/stages', except: ['show'] });
  return router;
}
