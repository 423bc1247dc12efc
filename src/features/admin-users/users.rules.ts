import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { moveCustomersToOwnersBranch } from '../../authz/data-scope.js';
import { endSessionsOf } from '../../db/session-store.js';
import type { Hook, WriteContext } from '../../kernel/data/hooks.js';
import type { Row } from '../../kernel/entity/define-entity.js';
import { ValidationError, type FieldErrors } from '../../shared/errors.js';

// What is an account's own, for every writer: no admin takes away their own role or account (that
// would lock the last admin out of these pages), a team role needs a department, and a change of
// role, status or password ends the user's open sessions in the same transaction.

export function userRules(values: Record<string, unknown>, current: Row | null, actor: Actor): FieldErrors | void {
  if (current?.id === actor.id && 'role_id' in values && Number(values.role_id) !== Number(current.role_id)) {
    return { role_id: { key: 'users.cannot_change_own_role' } };
  }
}

/** A SQLite unique index tells case apart; MySQL's collation does not, and neither do usernames here. */
async function usernameTaken(trx: Knex.Transaction, username: string): Promise<boolean> {
  return !!(await trx('users').whereRaw('lower(username) = ?', [username.toLowerCase()]).first('id'));
}

/** A manager's scope is their department tree; without a department they would see only their own records. */
async function needsDepartment(c: WriteContext): Promise<boolean> {
  if (!('role_id' in c.values) && !('department_id' in c.values)) return false;
  const departmentId = 'department_id' in c.values ? c.values.department_id : c.before?.department_id;
  if (departmentId !== null && departmentId !== undefined) return false;
  const role = await c.trx('roles').where('id', Number(c.values.role_id ?? c.before?.role_id)).first('data_scope');
  return role?.data_scope === 'department_tree';
}

export const userHooks: Hook[] = [
  {
    async before(c) {
      if (c.values.is_active === false && c.id === c.actor.id) throw new ValidationError({ _form: { key: 'users.cannot_deactivate_self' } });
      const errors: FieldErrors = {};
      if (c.op.kind === 'create' && (await usernameTaken(c.trx, String(c.values.username)))) errors.username = { key: 'users.username_taken' };
      if (await needsDepartment(c)) errors.department_id = { key: 'users.department_required' };
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    },
    async after(c) {
      // Permissions come with the role: the user logs in again under the new one.
      if (c.changes.role_id || c.changes.is_active || c.changes.password) await endSessionsOf(c.trx, c.id);
      // The user's customers follow them into the new department's branch.
      if (c.changes.department_id) await moveCustomersToOwnersBranch(c.trx, c.id);
    },
  },
];
