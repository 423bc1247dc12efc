import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { contactController } from './contacts.controller.js';

// A contact follows its customer: seen with customers.view, changed with customers.edit.
export function contactRoutes(ctx: AppContext): Router {
  const router = Router();
  const c = contactController(ctx);
  router.get('/contacts', can('customers.view'), c.index);
  router.get('/contacts/new', can('customers.edit'), c.newForm);
  router.post('/contacts', can('customers.edit'), c.create);
  router.get('/contacts/:id', can('customers.view'), c.show);
  router.get('/contacts/:id/edit', can('customers.edit'), c.editForm);
  router.post('/contacts/:id', can('customers.edit'), c.update);
  router.get('/contacts/:id/delete', can('customers.edit'), c.deleteConfirm);
  router.post('/contacts/:id/delete', can('customers.edit'), c.remove);
  return router;
}
