import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { hashPassword } from '../../auth/passwords.js';
import { actorOf } from '../../authz/guards.js';
import { isLocked } from '../../auth/lockout.js';
import { repositoryOf } from '../../kernel/data/repository.js';
import { write, type AuditOf, type Values } from '../../kernel/data/write.js';
import type { Row } from '../../kernel/entity/define-entity.js';
import { url } from '../../kernel/web/routes.js';
import type { FieldChanges } from '../../shared/audit.js';
import { NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { accountBadges, lockChanges, UNLOCKED } from './users.account-state.js';
import { users } from './users.entity.js';
import { checkedPassword } from './users.password.js';

// The account actions beside the edit form: a password reset, deactivation and activation, an
// unlock. Each is a patch through the write path, counting the version up (an edit form opened
// before it is a 409) with an audit of what it did; the entity's hook ends the open sessions.

export const VIEWS = 'features/admin-users/views';

/** What the edit form shows beside itself: the account's state and its actions. */
export function accountAside(req: Request, row: Row | undefined) {
  const account = row!;
  const { id } = account;
  return {
    account: {
      badges: accountBadges(account, req.t),
      lastLoginAt: account.last_login_at,
      lockedUntil: isLocked(account.locked_until as string | null) ? account.locked_until : null,
      failedLogins: Number(account.failed_logins),
      active: Boolean(account.is_active),
      self: id === actorOf(req).id,
      links: {
        password: url('users.password', { id }),
        unlock: url('users.unlock', { id }),
        activate: url('users.activate', { id }),
        deactivate: url('users.deactivate.confirm', { id }),
      },
    },
  };
}

export function accountPages(db: Knex) {
  async function account(req: Request): Promise<Row> {
    const row = await repositoryOf(users).findById({ db, actor: actorOf(req) }, idParam(req));
    if (!row) throw new NotFoundError();
    return row;
  }

  const change = (req: Request, values: Values, audit: AuditOf) =>
    write(db, users, { kind: 'patch', id: idParam(req), values, audit }, actorOf(req), requestInfo(req));

  const done = (req: Request, res: Response, row: Row, flashKey: string, next = url('users.edit', { id: row.id })) =>
    redirectWithFlash(req, res, next, req.t(flashKey, { name: String(row.username) }));

  // Already so: nothing to write (an empty audit).
  const setActive = (req: Request, active: boolean) =>
    change(req, { is_active: active }, (before): FieldChanges => (Boolean(before!.is_active) === active ? {} : { is_active: { before: !active, after: active } }));

  const showPassword = (req: Request, res: Response, row: Row, errors: FieldErrors = {}, status = 200) =>
    renderPage(res, `${VIEWS}/password`, { title: req.t('users.password_title'), account: row, errors, action: url('users.password.save', { id: row.id }), cancelUrl: url('users.edit', { id: row.id }) }, status);

  const showDeactivate = (req: Request, res: Response, row: Row, errors: FieldErrors = {}, status = 200) =>
    renderPage(res, `${VIEWS}/deactivate`, {
      title: req.t('users.deactivate_title'),
      account: row,
      self: row.id === actorOf(req).id,
      errors,
      action: url('users.deactivate', { id: row.id }),
      cancelUrl: url('users.edit', { id: row.id }),
    }, status);

  return {
    passwordForm: async (req: Request, res: Response) => showPassword(req, res, await account(req)),

    /** Also lifts a lockout (a reset usually follows one); the audit says that it changed, never what it is or was. */
    resetPassword: async (req: Request, res: Response) => {
      const row = await account(req);
      const parsed = parseForm(checkedPassword, req.body);
      if (!parsed.ok) return showPassword(req, res, row, parsed.errors, 422);
      const passwordHash = await hashPassword(parsed.data.password);
      await change(req, { password_hash: passwordHash, ...UNLOCKED }, (before) => ({ password: { before: null, after: 'reset' }, ...lockChanges(before!) }));
      await done(req, res, row, 'users.password_reset');
    },

    deactivateConfirm: async (req: Request, res: Response) => showDeactivate(req, res, await account(req)),

    deactivate: async (req: Request, res: Response) => {
      try {
        const result = await setActive(req, false);
        await done(req, res, result.before!, 'users.deactivated', url('users.index'));
      } catch (err) {
        if (err instanceof ValidationError) return showDeactivate(req, res, await account(req), err.fields, 422);
        throw err;
      }
    },

    activate: async (req: Request, res: Response) => done(req, res, (await setActive(req, true)).before!, 'users.activated'),

    /** Lifts a lockout at once and forgets the failed attempts counted so far. */
    unlock: async (req: Request, res: Response) => done(req, res, (await change(req, UNLOCKED, (before) => lockChanges(before!))).before!, 'users.unlocked'),
  };
}
