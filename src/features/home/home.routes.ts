import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { requireLogin } from '../../authz/guards.js';
import { renderPage } from '../../shared/render.js';

export function homeRoutes(_ctx: AppContext): Router {
  const router = Router();
  router.get('/', requireLogin, async (req, res) => {
    await renderPage(res, 'features/home/views/index', { title: req.t('home.title') });
  });
  return router;
}
