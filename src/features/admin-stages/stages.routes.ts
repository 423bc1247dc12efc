import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { adminStageController } from './stages.controller.js';

export function adminStageRoutes(ctx: AppContext): Router {
  const router = Router();
  const c = adminStageController(ctx);
  const admin = can('admin.stages');
  router.get('/admin/stages', admin, c.index);
  router.get('/admin/stages/new', admin, c.newForm);
  router.post('/admin/stages', admin, c.create);
  router.get('/admin/stages/:id/edit', admin, c.editForm);
  router.post('/admin/stages/:id', admin, c.update);
  router.post('/admin/stages/:id/move', admin, c.move);
  router.post('/admin/stages/:id/activate', admin, c.activate);
  router.post('/admin/stages/:id/deactivate', admin, c.deactivate);
  router.get('/admin/stages/:id/delete', admin, c.deleteConfirm);
  router.post('/admin/stages/:id/delete', admin, c.remove);
  return router;
}
