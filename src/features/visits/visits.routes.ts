import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { resource } from '../../kernel/web/resource.js';
import { visits } from './visits.entity.js';

export function visitRoutes({ db }: AppContext): Router {
  const router = Router();
  resource(router, db, visits, { pickParent: true });
  return router;
}
