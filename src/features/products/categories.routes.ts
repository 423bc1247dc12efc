import type { Request, Response, Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { actorOf } from '../../authz/guards.js';
import { inTransaction } from '../../db/transaction.js';
import { writeRecord } from '../../kernel/data/write.js';
import { titleOf } from '../../kernel/entity/define-entity.js';
import { recordPages, type PageOptions } from '../../kernel/web/record-pages.js';
import { resource } from '../../kernel/web/resource.js';
import { route, url } from '../../kernel/web/routes.js';
import { HttpError, NotFoundError } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { categories, lockCategories } from './categories.entity.js';
import { flattenTree, readCategories } from './categories.tree.js';

const moveInput = z.object({ direction: z.enum(['up', 'down']) });

/**
 * Swaps a category with its neighbour among its siblings and renumbers them, each through the write
 * path: every renumbered sibling's version counts up, so an edit form opened before the move is a
 * 409 rather than a silent undo.
 */
function move(db: Knex) {
  return async (req: Request, res: Response) => {
    const id = idParam(req);
    const parsed = moveInput.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, 'Unknown direction');
    const moved = await inTransaction(db, async (trx) => {
      await lockCategories(trx);
      const all = await readCategories(trx);
      const current = all.find((c) => c.id === id);
      if (!current) throw new NotFoundError();
      const siblings = all.filter((c) => c.parent_id === current.parent_id);
      const index = siblings.indexOf(current);
      const other = parsed.data.direction === 'up' ? index - 1 : index + 1;
      if (!siblings[other]) return current;
      [siblings[index], siblings[other]] = [siblings[other], current];
      for (const [position, sibling] of siblings.entries()) {
        const sort = (position + 1) * 10;
        if (sibling.sort !== sort) {
          await writeRecord(trx, categories, { kind: 'patch', id: sibling.id, version: sibling.version, values: { sort } }, actorOf(req), requestInfo(req));
        }
      }
      return current;
    });
    await redirectWithFlash(req, res, url('products.categories.index'), req.t('products.categories.moved', { name: titleOf(categories, moved, req.locale) }));
  };
}

/** /products/categories: the tree beside the form that adds to it; edit and delete are the kernel's pages. */
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
  route(router, { name: 'products.categories.move', method: 'post', path: '/products/categories/:id/move', can, handler: move(db) });
  resource(router, db, categories, { ...options, path: '/products/categories', only: ['edit', 'update', 'delete'] });
}
