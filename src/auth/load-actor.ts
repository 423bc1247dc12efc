import type { Knex } from 'knex';
import type { Actor } from '../authz/actor.js';
import { isPermission, type DataScope, type Permission } from '../authz/permissions.js';

/** The logged-in user with role, scope and permissions, or null when missing or deactivated. */
export async function loadActor(db: Knex, userId: number): Promise<Actor | null> {
  const row = await db('users as u')
    .join('roles as r', 'r.id', 'u.role_id')
    .where('u.id', userId)
    .where('u.is_active', true)
    .first(
      'u.id',
      'u.username',
      'u.display_name',
      'u.department_id',
      'u.locale',
      'u.time_zone',
      'u.role_id',
      'r.code as role_code',
      'r.data_scope',
    );
  if (!row) return null;
  const grants: Array<{ permission: string }> = await db('role_permissions')
    .where('role_id', row.role_id)
    .select('permission');
  const permissions = new Set<Permission>(grants.map((g) => g.permission).filter(isPermission));
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roleCode: row.role_code,
    dataScope: row.data_scope as DataScope,
    departmentId: row.department_id,
    permissions,
    locale: row.locale,
    timeZone: row.time_zone,
  };
}
