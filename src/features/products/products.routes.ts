import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { can } from '../../authz/guards.js';
import { categoryController } from './categories.controller.js';
import { productController } from './products.controller.js';

export function productRoutes(ctx: AppContext): Router {
  const router = Router();
  const p = productController(ctx);
  const c = categoryController(ctx);
  const admin = can('admin.products');
  // Categories first: "/products/categories" must not be read as a product id.
  router.get('/products/categories', admin, c.index);
  router.post('/products/categories', admin, c.create);
  router.get('/products/categories/:id/edit', admin, c.editForm);
  router.post('/products/categories/:id', admin, c.update);
  router.post('/products/categories/:id/move', admin, c.move);
  router.get('/products/categories/:id/delete', admin, c.deleteConfirm);
  router.post('/products/categories/:id/delete', admin, c.remove);

  router.get('/products', can('products.view'), p.index);
  router.get('/products/new', admin, p.newForm);
  router.post('/products', admin, p.create);
  router.get('/products/:id', can('products.view'), p.show);
  router.get('/products/:id/edit', admin, p.editForm);
  router.post('/products/:id', admin, p.update);
  router.post('/products/:id/deactivate', admin, p.deactivate);
  router.post('/products/:id/activate', admin, p.activate);
  router.get('/products/:id/delete', admin, p.deleteConfirm);
  router.post('/products/:id/delete', admin, p.remove);
  return router;
}
