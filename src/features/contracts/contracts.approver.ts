import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';

/**
 * Who approves a contract owned by `ownerId`: an active manager of the owner's department; when the
 * owner is that manager, or the department has none, the manager of the parent department, and so
 * on up the tree; at the top, an active admin. Read inside the submitting transaction, so the
 * choice is made on the current organisation, not a cached one. `passOver` are the contract's
 * creator and submitter: nobody approves a contract they made or sent.
 */
export async function findApprover(trx: Knex, ownerId: number, passOver: readonly number[]): Promise<number | null> {
  const owner: { department_id: number | null } | undefined = await trx('users').where('id', ownerId).first('department_id');
  const seen = new Set<number>();
  let departmentId = owner?.department_id ?? null;
  while (departmentId !== null && !seen.has(departmentId)) {
    seen.add(departmentId);
    const manager: { id: number } | undefined = await trx('users as u')
      .join('roles as r', 'r.id', 'u.role_id')
      .where({ 'u.department_id': departmentId, 'r.code': 'manager' })
      .where('u.is_active', true)
      .whereNotIn('u.id', [ownerId, ...passOver])
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
    .whereNotIn('u.id', passOver)
    .orderBy('u.id')
    .first('u.id');
  return admin?.id ?? null;
}

/** The contract's creator and whoever last sent it to approval: they never decide on it. */
async function interestedParties(db: Knex, contract: { id: number; created_by: number }): Promise<number[]> {
  const submitted: { actor_id: number } | undefined = await db('contract_events')
    .where({ contract_id: contract.id, action: 'submitted' })
    .orderBy('id', 'desc')
    .first('actor_id');
  return submitted ? [contract.created_by, submitted.actor_id] : [contract.created_by];
}

/** Only the assigned approver, or an admin, decides on a contract, and never on one of their own. */
export async function decidesOn(db: Knex, actor: Actor, contract: { id: number; created_by: number; approver_id: number | null }): Promise<boolean> {
  if (contract.approver_id !== actor.id && actor.roleCode !== 'admin') return false;
  return !(await interestedParties(db, contract)).includes(actor.id);
}
