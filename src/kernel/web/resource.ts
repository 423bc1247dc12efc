import type { RequestHandler, Router } from 'express';
import type { Knex } from 'knex';
import type { AnyEntity } from '../entity/define-entity.js';
import { listActions } from './list-actions.js';
import { recordPages, type PageOptions } from './record-pages.js';
import { route } from './routes.js';

type Action = 'index' | 'new' | 'create' | 'show' | 'edit' | 'update' | 'delete' | 'restore' | 'move' | 'activate' | 'deactivate';

/** `except`: actions the entity has no page for (reference data edited from its list has no show page). */
export type ResourceOptions = PageOptions & { path?: string; only?: Action[]; except?: Action[] };

/**
 * The named routes of an entity (`contacts.index`, `contacts.show`, ...) with their one guard each,
 * in CONTRACT.md's shape: GET /x, /x/new, /x/:id, /x/:id/edit, /x/:id/delete; POST /x, /x/:id,
 * /x/:id/delete, /x/:id/restore, and /x/:id/move, /x/:id/activate, /x/:id/deactivate for an entity
 * kept in order or retired rather than deleted. `/x/new` is registered before `/x/:id`.
 */
export function resource(router: Router, db: Knex, e: AnyEntity, o: ResourceOptions = {}): ReturnType<typeof recordPages> {
  const base = o.path ?? `/${e.plural}`;
  const pages = recordPages(db, e, o);
  const rows = listActions(db, e);
  const p = e.permissions;
  const wanted = (a: Action) => (!o.only || o.only.includes(a)) && !o.except?.includes(a);
  const add = (action: Action, name: string, method: 'get' | 'post', path: string, permission: typeof p.view, handler: RequestHandler) => {
    if (wanted(action) && permission) route(router, { name: `${e.plural}.${name}`, method, path: base + path, can: permission, handler });
  };
  add('index', 'index', 'get', '', p.view, pages.index);
  add('new', 'new', 'get', '/new', p.create, pages.newForm);
  add('create', 'create', 'post', '', p.create, pages.create);
  add('show', 'show', 'get', '/:id', p.view, pages.show);
  add('edit', 'edit', 'get', '/:id/edit', p.edit, pages.editForm);
  add('update', 'update', 'post', '/:id', p.edit, pages.update);
  add('delete', 'delete.confirm', 'get', '/:id/delete', p.delete, pages.deleteConfirm);
  add('delete', 'delete', 'post', '/:id/delete', p.delete, pages.remove);
  if (e.softDelete) add('restore', 'restore', 'post', '/:id/restore', p.restore, pages.restore);
  if (e.ordered) add('move', 'move', 'post', '/:id/move', p.edit, rows.move);
  if (e.activeColumn) add('activate', 'activate', 'post', '/:id/activate', p.edit, rows.activate);
  if (e.activeColumn) add('deactivate', 'deactivate', 'post', '/:id/deactivate', p.edit, rows.deactivate);
  // The pages, for an entity's own routes beside these.
  return pages;
}
