import type { DataScope, Permission } from './permissions.js';

/** The logged-in user as every service and repository sees it. */
export type Actor = Readonly<{
  id: number;
  username: string;
  displayName: string;
  roleCode: string;
  dataScope: DataScope;
  departmentId: number | null;
  permissions: ReadonlySet<Permission>;
  locale: string | null;
  timeZone: string;
}>;

export function hasPermission(actor: Actor | undefined, permission: Permission): boolean {
  return !!actor && actor.permissions.has(permission);
}
