import type { Knex } from 'knex';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import type { Actor } from '../../authz/actor.js';
import { referenceTransaction } from '../../db/reference-cache.js';
import { endSessionsOf } from '../../db/session-store.js';
import { writeAudit } from '../../shared/audit.js';
import { ValidationError } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import { passwordErrors } from '../admin-users/index.js';
import type { OwnPasswordInput } from './password.schema.js';

/**
 * The logged-in user sets a new password, proving the current one. Their other sessions end in the
 * same transaction (a changed password often follows a lost laptop); the one in use (`sid`) stays.
 */
export async function changeOwnPassword(db: Knex, actor: Actor, sid: string, input: OwnPasswordInput, info: RequestInfo): Promise<void> {
  const errors = passwordErrors(input);
  const user = await db('users').where('id', actor.id).first('password_hash');
  if (!user || !(await verifyPassword(input.current_password, user.password_hash))) {
    errors.current_password = { key: 'profile.password.current_wrong' };
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const passwordHash = await hashPassword(input.password);
  await referenceTransaction(db, async (trx) => {
    // The version counts up as for the admin's reset, so an edit form opened before is a 409.
    await trx('users').where('id', actor.id).update({ password_hash: passwordHash, version: trx.raw('version + 1') });
    await endSessionsOf(trx, actor.id, sid);
    // Like the admin's reset: that the password changed, never what it is or was.
    await writeAudit(trx, {
      entity: 'user',
      entityId: actor.id,
      action: 'update',
      actorId: actor.id,
      changes: { password: { before: null, after: 'changed' } },
      ip: info.ip,
    });
  });
}
