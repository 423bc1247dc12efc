import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { resource } from '../../kernel/web/resource.js';
import { categoryRoutes } from './categories.routes.js';
import { products } from './products.entity.js';

export function productRoutes({ db }: AppContext): Router {
  const router = Router();
  // Categories first: "/products/categories" must not be read as a product id.
  categoryRoutes(router, db);
  // Deactivate and activate come with the entity's activeColumn; deactivation is what a product in use offers instead of a delete.
  resource(router, db, products);
  return router;
}
