import type { Knex } from 'knex';

/**
 * Who approves a contract owned by `ownerId`: an active manager of the owner's department; when the
 * owner is that manager, or the department has none, the manager of the parent department, and so
 * on up the tree; at the top, an active admin. Read inside the submitting transaction, so the
 * choice is made on the current organisation, not a cached one.
 */
export async function findApprover(trx: Knex, ownerId: number): Promise<number | null> {
  const owner: { department_id: number | null } | undefined = await trx('users').where('id', ownerId).first('department_id');
  const seen = new Set<number>();
  let departmentId = owner?.department_id ?? null;
  while (departmentId !== null && !seen.has(departmentId)) {
    seen.add(departmentId);
    const manager: { id: number } | undefined = await trx('users as u')
      .join('roles as r', 'r.id', 'u.role_id')
      .where({ 'u.department_id': departmentId, 'r.code': 'manager' })
      .where('u.is_active', true)
      .whereNot('u.id', ownerId)
      .orderBy('u.id')
      .first('u.id');
    if (manager) return manager.id;
    const department: { parent_id: number | null } | undefined = await trx('departments').where('id', departmentId).first('parent_id');
    departmentId = department?.parent_id ?? null;
  }
  const admin: { id: number } | undefined = await trx('users as u')
    .join('roles as r', 'r.id', 'u.role_id')
    .where('r.code', 'admin')
    .where('u.is_active', true)
    .orderBy('u.id')
    .first('u.id');
  return admin?.id ?? null;
}
