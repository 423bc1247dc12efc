import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { isShuttingDown } from './shutting-down.js';

export function healthRoutes({ db }: AppContext): Router {
  const router = Router();
  // Process up: answers without touching the database.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready to serve: the database answers and no shutdown is under way. A load balancer takes an
  // instance out on 503.
  router.get('/readyz', async (req, res) => {
    if (isShuttingDown(req.app)) {
      res.status(503).json({ status: 'shutting down' });
      return;
    }
    try {
      await db.raw('select 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  return router;
}
