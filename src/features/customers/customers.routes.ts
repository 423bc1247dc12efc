import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { customerController } from './customers.controller.js';

export function customerRoutes(ctx: AppContext): Router {
  const router = Router();
  const c = customerController(ctx);
  router.get('/customers', can('customers.view'), c.index);
  router.get('/customers/new', can('customers.create'), c.newForm);
  router.post('/customers', can('customers.create'), c.create);
  router.get('/customers/:id', can('customers.view'), c.show);
  router.get('/customers/:id/edit', can('customers.edit'), c.editForm);
  router.post('/customers/:id', can('customers.edit'), c.update);
  router.get('/customers/:id/delete', can('customers.delete'), c.deleteConfirm);
  router.post('/customers/:id/delete', can('customers.delete'), c.remove);
  router.post('/customers/:id/restore', can('customers.restore'), c.restore);
  return router;
}
