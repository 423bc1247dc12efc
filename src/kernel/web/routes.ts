import type { RequestHandler, Router } from 'express';
import { hasPermission, type Actor } from '../../authz/actor.js';
import type { Permission } from '../../authz/permissions.js';
import { can, requireLogin } from '../../authz/guards.js';

// Every kernel route is registered here with its one guard, so the table of routes (names, paths,
// permissions) is data: url() builds links from it and the authorization matrix test walks it.

export type RouteSpec = {
  name: string;
  method: 'get' | 'post';
  path: string;
  can: Permission | 'login';
  handler: RequestHandler;
};

const table = new Map<string, RouteSpec>();

export function route(router: Router, spec: RouteSpec): void {
  table.set(spec.name, spec);
  const guard = spec.can === 'login' ? requireLogin : can(spec.can);
  router[spec.method](spec.path, guard, spec.handler);
}

export function routeTable(): RouteSpec[] {
  return [...table.values()];
}

export function hasRoute(name: string): boolean {
  return table.has(name);
}

/** Whether the actor passes the named route's guard: a link or a button to it is shown only then. */
export function admits(name: string, actor: Actor | undefined): boolean {
  const spec = table.get(name);
  return !!spec && !!actor && (spec.can === 'login' || hasPermission(actor, spec.can));
}

/** The path of a named route with its parameters filled in; an unknown name is a programming error. */
export function url(name: string, params: Record<string, string | number> = {}, query: Record<string, string | number | undefined> = {}): string {
  const spec = table.get(name);
  if (!spec) throw new Error(`Unknown route ${name}`);
  const path = spec.path.replace(/:(\w+)/g, (_, key: string) => {
    if (params[key] === undefined) throw new Error(`Route ${name} needs :${key}`);
    return encodeURIComponent(String(params[key]));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(key, String(value));
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}
