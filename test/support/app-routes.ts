import type { Express } from 'express';

export type AppRoute = { method: 'get' | 'post'; path: string };

/**
 * Every GET and POST route of the app, read from Express's router stack at run time (app.use(router)
 * nests one level), so a test walking them cannot miss a new one. Objects on the kernel also list
 * theirs in routeTable(); the others do not yet.
 */
export function appRoutes(app: Express): AppRoute[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const routes: AppRoute[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        for (const method of Object.keys(layer.route.methods)) {
          if (method === 'get' || method === 'post') routes.push({ method, path: layer.route.path });
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return routes;
}
