import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { adminUserController } from './users.controller.js';

export function adminUserRoutes(ctx: AppContext): Router {
  const router = Router();
  const c = adminUserController(ctx);
  const admin = can('admin.users');
  router.get('/admin/users', admin, c.index);
  router.get('/admin/users/new', admin, c.newForm);
  router.post('/admin/users', admin, c.create);
  router.get('/admin/users/:id/edit', admin, c.editForm);
  router.post('/admin/users/:id', admin, c.update);
  router.get('/admin/users/:id/password', admin, c.passwordForm);
  router.post('/admin/users/:id/password', admin, c.resetPassword);
  router.get('/admin/users/:id/deactivate', admin, c.deactivateConfirm);
  router.post('/admin/users/:id/deactivate', admin, c.deactivate);
  router.post('/admin/users/:id/activate', admin, c.activate);
  router.post('/admin/users/:id/unlock', admin, c.unlock);
  return router;
}
