import type { Actor } from '../../authz/actor.js';
import { PERMISSIONS } from '../../authz/permissions.js';

/** Who scheduled jobs write as: sees everything; audit rows name no user (actor_id NULL). */
export const SYSTEM_ACTOR: Actor = Object.freeze({
  id: 0,
  username: 'system',
  displayName: 'System',
  roleCode: 'system',
  dataScope: 'all',
  departmentId: null,
  permissions: new Set(PERMISSIONS),
  locale: null,
  timeZone: 'UTC',
});
