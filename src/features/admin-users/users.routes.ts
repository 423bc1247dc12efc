import { Router, type RequestHandler } from 'express';
import type { AppContext } from '../../app-context.js';
import { resource } from '../../kernel/web/resource.js';
import { route, url } from '../../kernel/web/routes.js';
import { accountAside, accountPages, VIEWS } from './users.account.js';
import { newAccountInputs } from './users.password.js';
import { users } from './users.entity.js';

// `/admin/users`: the list, the new and edit forms from the kernel (a new account also gets its
// password; the edit form its account actions beside it), then the account actions' own pages.
export function adminUserRoutes({ db }: AppContext): Router {
  const router = Router();
  resource(router, db, users, {
    path: '/admin/users',
    only: ['index', 'new', 'create', 'edit', 'update'],
    afterCreate: () => url('users.index'),
    afterUpdate: () => url('users.index'),
    createInputs: newAccountInputs,
    formParts: { new: { inputs: `${VIEWS}/_passwords` }, edit: { aside: `${VIEWS}/_account`, locals: accountAside } },
  });
  const pages = accountPages(db);
  const add = (name: string, method: 'get' | 'post', path: string, handler: RequestHandler) =>
    route(router, { name: `users.${name}`, method, path: `/admin/users/:id${path}`, can: 'admin.users', handler });
  add('password', 'get', '/password', pages.passwordForm);
  add('password.save', 'post', '/password', pages.resetPassword);
  add('deactivate.confirm', 'get', '/deactivate', pages.deactivateConfirm);
  add('deactivate', 'post', '/deactivate', pages.deactivate);
  add('activate', 'post', '/activate', pages.activate);
  add('unlock', 'post', '/unlock', pages.unlock);
  return router;
}
