import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { paymentController } from './payments.controller.js';

export function paymentRoutes(ctx: AppContext): Router {
  const router = Router();
  const c = paymentController(ctx);
  router.get('/payments', can('payments.view'), c.index);
  router.post('/contracts/:id/plans', can('payments.create'), c.addPlan);
  router.get('/contracts/:id/plans/:planId/edit', can('payments.create'), c.editPlanForm);
  router.post('/contracts/:id/plans/:planId', can('payments.create'), c.updatePlan);
  router.get('/contracts/:id/plans/:planId/delete', can('payments.create'), c.deletePlanConfirm);
  router.post('/contracts/:id/plans/:planId/delete', can('payments.create'), c.deletePlan);
  router.post('/contracts/:id/payments', can('payments.create'), c.addRecord);
  return router;
}
