import type { Router } from 'express';
import type { Knex } from 'knex';
import { recordPages, type PageOptions } from '../../kernel/web/record-pages.js';
import { resource } from '../../kernel/web/resource.js';
import { route, url } from '../../kernel/web/routes.js';
import { categories } from './categories.entity.js';
import { flattenTree, readCategories } from './categories.tree.js';

/** /products/categories: the tree beside the form that adds to it; edit, delete and moves among siblings are the kernel's. */
export function categoryRoutes(router: Router, db: Knex): void {
  const index = () => url('products.categories.index');
  const options: PageOptions = {
    newView: 'features/products/views/categories',
    newLocals: async (req) => ({ nodes: flattenTree(await readCategories(db), req.locale) }),
    afterCreate: index,
    afterUpdate: index,
  };
  const pages = recordPages(db, categories, options);
  const can = 'admin.products';
  route(router, { name: 'products.categories.index', method: 'get', path: '/products/categories', can, handler: pages.newForm });
  route(router, { name: 'products.categories.create', method: 'post', path: '/products/categories', can, handler: pages.create });
  resource(router, db, categories, { ...options, path: '/products/categories', only: ['edit', 'update', 'delete', 'move'] });
}
