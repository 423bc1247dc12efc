import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { adminDictionaryController } from './dictionaries.controller.js';

export function adminDictionaryRoutes(ctx: AppContext): Router {
  const router = Router();
  const c = adminDictionaryController(ctx);
  const admin = can('admin.dictionaries');
  router.get('/admin/dictionaries', admin, c.index);
  router.get('/admin/dictionaries/new', admin, c.newForm);
  router.post('/admin/dictionaries', admin, c.create);
  router.get('/admin/dictionaries/:id/edit', admin, c.editForm);
  router.post('/admin/dictionaries/:id', admin, c.update);
  router.post('/admin/dictionaries/:id/move', admin, c.move);
  router.post('/admin/dictionaries/:id/activate', admin, c.activate);
  router.post('/admin/dictionaries/:id/deactivate', admin, c.deactivate);
  router.get('/admin/dictionaries/:id/delete', admin, c.deleteConfirm);
  router.post('/admin/dictionaries/:id/delete', admin, c.remove);
  return router;
}
