import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { boardController } from './board.controller.js';
import { opportunityController } from './opportunities.controller.js';

export function opportunityRoutes(ctx: AppContext): Router {
  const router = Router();
  const c = opportunityController(ctx);
  const board = boardController(ctx);
  router.get('/opportunities', can('opportunities.view'), c.index);
  router.get('/opportunities/board', can('opportunities.view'), board.board);
  router.get('/opportunities/new', can('opportunities.create'), c.newForm);
  router.post('/opportunities', can('opportunities.create'), c.create);
  router.get('/opportunities/:id', can('opportunities.view'), c.show);
  router.get('/opportunities/:id/edit', can('opportunities.edit'), c.editForm);
  router.post('/opportunities/:id', can('opportunities.edit'), c.update);
  router.post('/opportunities/:id/stage', can('opportunities.edit'), board.move);
  router.get('/opportunities/:id/delete', can('opportunities.delete'), c.deleteConfirm);
  router.post('/opportunities/:id/delete', can('opportunities.delete'), c.remove);
  router.post('/opportunities/:id/restore', can('opportunities.restore'), c.restore);
  return router;
}
