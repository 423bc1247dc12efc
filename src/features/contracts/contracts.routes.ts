import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { contractController } from './contracts.controller.js';

export function contractRoutes(ctx: AppContext): Router {
  const router = Router();
  const c = contractController(ctx);
  router.get('/contracts', can('contracts.view'), c.index);
  router.get('/contracts/new', can('contracts.create'), c.newForm);
  router.post('/contracts', can('contracts.create'), c.create);
  router.get('/contracts/:id', can('contracts.view'), c.show);
  router.get('/contracts/:id/edit', can('contracts.edit'), c.editForm);
  router.post('/contracts/:id', can('contracts.edit'), c.update);
  router.post('/contracts/:id/submit', can('contracts.edit'), c.submit);
  router.post('/contracts/:id/approve', can('contracts.approve'), c.approve);
  router.post('/contracts/:id/reject', can('contracts.approve'), c.reject);
  router.post('/contracts/:id/sign', can('contracts.edit'), c.sign);
  router.post('/contracts/:id/terminate', can('contracts.edit'), c.terminate);
  router.post('/quotes/:id/contract', can('contracts.create'), c.fromQuote);
  router.post('/opportunities/:id/contract', can('contracts.create'), c.fromOpportunity);

  return router;
}
