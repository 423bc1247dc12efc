import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { resource } from '../../kernel/web/resource.js';
import { categoryRoutes } from './categories.routes.js';
import { products } from './products.entity.js';

export function productRoutes({ db }: AppContext): Router {
  const router = Router();
  // Categories first: "/products/categories" must not be read as a product id.
  categoryRoutes(router, db);
  resource(router, db, products, {
    patches: {
      deactivate: { values: { is_active: false }, flashKey: 'products.deactivated' },
      activate: { values: { is_active: true }, flashKey: 'products.activated' },
    },
    // Deactivation is offered instead of a delete that documents would miss.
    actions: (row) =>
      row.is_active
        ? [{ route: 'products.deactivate', labelKey: 'products.deactivate', test: 'deactivate', instead: true }]
        : [{ route: 'products.activate', labelKey: 'products.activate', test: 'activate' }],
  });
  return router;
}
