import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { followupController } from './followups.controller.js';

// Follow-ups are seen with the customer (customers.view) and logged with followups.create.
export function followupRoutes(ctx: AppContext): Router {
  const router = Router();
  const c = followupController(ctx);
  router.get('/followups', can('customers.view'), c.index);
  router.get('/followups/new', can('followups.create'), c.newForm);
  router.post('/followups', can('followups.create'), c.create);
  return router;
}
