import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { quoteController } from './quotes.controller.js';

// POST /quotes/:id/contract (an accepted quote becomes a contract) belongs to features/contracts.
export function quoteRoutes(ctx: AppContext): Router {
  const router = Router();
  const c = quoteController(ctx);
  router.get('/quotes', can('quotes.view'), c.index);
  router.get('/quotes/new', can('quotes.create'), c.newForm);
  router.post('/quotes', can('quotes.create'), c.create);
  router.get('/quotes/:id', can('quotes.view'), c.show);
  router.get('/quotes/:id/edit', can('quotes.edit'), c.editForm);
  router.post('/quotes/:id', can('quotes.edit'), c.update);
  router.post('/quotes/:id/status', can('quotes.edit'), c.status);
  return router;
}
