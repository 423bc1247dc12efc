import { referenceTransaction } from '../../db/reference-cache.js';
import type { Knex } from 'knex';
import { unlockUser } from '../../auth/lockout.js';
import { hashPassword } from '../../auth/passwords.js';
import type { Actor } from '../../authz/actor.js';
import { moveCustomersToOwnersBranch } from '../../authz/data-scope.js';
import type { RequestInfo } from '../../shared/request.js';
import { endSessionsOf } from '../../db/session-store.js';
import { toDbTime } from '../../db/time.js';
import { changedFields, writeAudit, type FieldChanges } from '../../shared/audit.js';
import { ConflictError, NotFoundError, refusingDuplicate, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { userRepository, type UserListRow } from './users.repository.js';
import {
  CREATED_FIELDS,
  PASSWORD_MAX_BYTES,
  PROFILE_FIELDS,
  type NewUserInput,
  type PasswordInput,
  type UserProfileInput,
} from './users.schema.js';

const USERNAME_KEY = { table: 'users', columns: ['username'] } as const;

const isActive = (user: Pick<UserListRow, 'is_active'>) => Boolean(user.is_active);

/** The password rules zod's messages cannot say: bcrypt's byte limit and the repeated entry. */
export function passwordErrors(input: PasswordInput): FieldErrors {
  const errors: FieldErrors = {};
  if (Buffer.byteLength(input.password, 'utf8') > PASSWORD_MAX_BYTES) errors.password = { key: 'admin.users.password_too_long' };
  if ((input.password_confirm ?? '') !== input.password) errors.password_confirm = { key: 'admin.users.password_mismatch' };
  return errors;
}

export function userService(db: Knex) {
  const repo = userRepository(db);

  async function findOrFail(id: number): Promise<UserListRow> {
    const user = await repo.findById(id);
    if (!user) throw new NotFoundError();
    return user;
  }

  /** Rules zod cannot know: an existing role, an existing department, and one for a team role. */
  async function profileErrors(input: UserProfileInput): Promise<FieldErrors> {
    const errors: FieldErrors = {};
    const role = (await repo.roles()).find((r) => r.id === input.role_id);
    if (!role) errors.role_id = { key: 'validation.choice' };
    if (input.department_id !== null && !(await repo.departments()).some((d) => d.id === input.department_id)) {
      errors.department_id = { key: 'validation.choice' };
    }
    // A manager's scope is their department tree; without a department they would see only their own records.
    if (role?.data_scope === 'department_tree' && input.department_id === null) {
      errors.department_id = { key: 'admin.users.department_required' };
    }
    return errors;
  }

  /** The form's "username taken" when a concurrent create took the name after the check above. */
  const insertUnlessTaken = (trx: Knex.Transaction, row: Parameters<typeof repo.insert>[1]) =>
    refusingDuplicate(USERNAME_KEY, 'username', 'admin.users.username_taken', () => repo.insert(trx, row));

  function profileOf(input: UserProfileInput) {
    return {
      display_name: input.display_name,
      email: input.email,
      phone: input.phone,
      role_id: input.role_id,
      department_id: input.department_id,
    };
  }

  /**
   * Writes an admin change to the account as it was read (`user.version`), counting the version up
   * so an edit form opened before it is a 409; someone else's change since is a ConflictError.
   */
  async function saveAccount(trx: Knex.Transaction, user: UserListRow, changes: Parameters<typeof repo.updateIfVersion>[3]) {
    if ((await repo.updateIfVersion(trx, user.id, user.version, changes)) === 0) throw new ConflictError();
  }

  /**
   * Flags the account as active or not; the login check and the session loader both honour it. Open
   * sessions end either way, so a session left unused during a deactivation stays dead after it.
   */
  async function setActive(actor: Actor, id: number, active: boolean, info: RequestInfo): Promise<UserListRow> {
    const user = await findOrFail(id);
    if (!active && user.id === actor.id) throw new ValidationError({ _form: { key: 'admin.users.cannot_deactivate_self' } });
    if (isActive(user) === active) return user;
    await referenceTransaction(db, async (trx) => {
      await saveAccount(trx, user, { is_active: active });
      await endSessionsOf(trx, id);
      await writeAudit(trx, {
        entity: 'user',
        entityId: id,
        action: 'update',
        actorId: actor.id,
        changes: { is_active: { before: !active, after: active } },
        ip: info.ip,
      });
    });
    return user;
  }

  return {
    async createUser(actor: Actor, input: NewUserInput, info: RequestInfo): Promise<number> {
      const errors = { ...(await profileErrors(input)), ...passwordErrors(input) };
      if (await repo.usernameTaken(input.username)) errors.username = { key: 'admin.users.username_taken' };
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);
      const passwordHash = await hashPassword(input.password);
      const now = toDbTime();
      const values = { username: input.username, ...profileOf(input), is_active: true };
      return referenceTransaction(db, async (trx) => {
        const id = await insertUnlessTaken(trx, { ...values, password_hash: passwordHash, created_at: now, updated_at: now });
        await writeAudit(trx, {
          entity: 'user',
          entityId: id,
          action: 'create',
          actorId: actor.id,
          changes: changedFields(null, values, CREATED_FIELDS),
          ip: info.ip,
        });
        return id;
      });
    },

    /** Saves an edit made on `version`; a newer version in the database means a 409, nothing written. */
    async updateUser(actor: Actor, id: number, version: number, input: UserProfileInput, info: RequestInfo): Promise<UserListRow> {
      const user = await findOrFail(id);
      if (user.version !== version) throw new ConflictError();
      const errors = await profileErrors(input);
      // Taking away one's own admin role would lock the last admin out of these pages.
      if (user.id === actor.id && input.role_id !== user.role_id) errors.role_id = { key: 'admin.users.cannot_change_own_role' };
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);
      const values = profileOf(input);
      const changes = changedFields(user, values, PROFILE_FIELDS);
      if (Object.keys(changes).length === 0) return user;
      await referenceTransaction(db, async (trx) => {
        await saveAccount(trx, user, values);
        // Permissions come with the role: the user logs in again under the new one.
        if (changes.role_id) await endSessionsOf(trx, id);
        if (changes.department_id) await moveCustomersToOwnersBranch(trx, id);
        await writeAudit(trx, { entity: 'user', entityId: id, action: 'update', actorId: actor.id, changes, ip: info.ip });
      });
      return user;
    },

    findOrFail,
    deactivateUser: (actor: Actor, id: number, info: RequestInfo) => setActive(actor, id, false, info),
    activateUser: (actor: Actor, id: number, info: RequestInfo) => setActive(actor, id, true, info),

    /**
     * Sets a new password the admin passes on; it also lifts a lockout, since a reset usually follows
     * one, and ends the user's open sessions (a reset often follows a stolen password).
     */
    async resetPassword(actor: Actor, id: number, input: PasswordInput, info: RequestInfo): Promise<UserListRow> {
      const user = await findOrFail(id);
      const errors = passwordErrors(input);
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);
      const passwordHash = await hashPassword(input.password);
      // The audit trail says that the password changed, never what it is or was (not even as a hash).
      const changes: FieldChanges = { password: { before: null, after: 'reset' }, ...lockChanges(user) };
      await referenceTransaction(db, async (trx) => {
        await saveAccount(trx, user, { password_hash: passwordHash });
        await unlockUser(trx, id);
        await endSessionsOf(trx, id);
        await writeAudit(trx, { entity: 'user', entityId: id, action: 'update', actorId: actor.id, changes, ip: info.ip });
      });
      return user;
    },

    /** Lifts a lockout at once and forgets the failed attempts counted so far. */
    async unlock(actor: Actor, id: number, info: RequestInfo): Promise<UserListRow> {
      const user = await findOrFail(id);
      const changes = lockChanges(user);
      if (Object.keys(changes).length === 0) return user;
      await referenceTransaction(db, async (trx) => {
        await saveAccount(trx, user, {});
        await unlockUser(trx, id);
        await writeAudit(trx, { entity: 'user', entityId: id, action: 'update', actorId: actor.id, changes, ip: info.ip });
      });
      return user;
    },
  };
}

/** The lockout fields an unlock clears, as audit changes (none when nothing is counted). */
function lockChanges(user: Pick<UserListRow, 'locked_until' | 'failed_logins'>): FieldChanges {
  const changes: FieldChanges = {};
  if (user.locked_until) changes.locked_until = { before: user.locked_until, after: null };
  if (user.failed_logins > 0) changes.failed_logins = { before: user.failed_logins, after: 0 };
  return changes;
}
