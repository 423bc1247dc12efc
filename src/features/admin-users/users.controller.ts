import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { isLocked } from '../../auth/lockout.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parsePage } from '../../shared/pagination.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { conflictOf, versionInput } from '../../shared/version.js';
import { formOptions, valuesOfBody, valuesOfRecord, type FormValues } from './users.form.js';
import { userRepository, type UserListRow } from './users.repository.js';
import { newUserInput, passwordInput, PROFILE_FIELDS, userListQuery, userProfileInput } from './users.schema.js';
import { userService } from './users.service.js';

const VIEWS = 'features/admin-users/views';

export function adminUserController({ db }: AppContext) {
  const repo = userRepository(db);
  const service = userService(db);

  async function showForm(
    req: Request,
    res: Response,
    view: 'new' | 'edit',
    values: FormValues,
    extra: { status?: number; errors?: FieldErrors; account?: UserListRow; conflict?: ReturnType<typeof conflictOf> } = {},
  ): Promise<void> {
    const { status = 200, ...locals } = extra;
    const options = await formOptions(repo, req.locale);
    const title = req.t(view === 'new' ? 'admin.users.new_title' : 'admin.users.edit_title');
    await renderPage(res, `${VIEWS}/${view}`, { title, values, options, errors: {}, isLocked, ...locals }, status);
  }

  async function showPasswordForm(req: Request, res: Response, account: UserListRow, errors: FieldErrors = {}, status = 200) {
    await renderPage(res, `${VIEWS}/password`, { title: req.t('admin.users.password_title'), account, errors }, status);
  }

  async function showDeactivate(req: Request, res: Response, account: UserListRow, errors: FieldErrors = {}, status = 200) {
    const self = account.id === actorOf(req).id;
    await renderPage(res, `${VIEWS}/deactivate`, { title: req.t('admin.users.deactivate_title'), account, self, errors }, status);
  }

  return {
    index: async (req: Request, res: Response) => {
      const filters = userListQuery.parse(req.query);
      const pageRequest = parsePage(req.query);
      const [pageData, options] = await Promise.all([repo.list(filters, pageRequest), formOptions(repo, req.locale)]);
      await renderPage(res, `${VIEWS}/index`, { title: req.t('admin.users.title'), pageData, filters, options, isLocked });
    },

    newForm: async (req: Request, res: Response) => {
      await showForm(req, res, 'new', valuesOfBody({}));
    },

    create: async (req: Request, res: Response) => {
      const values = valuesOfBody(req.body);
      const parsed = parseForm(newUserInput, req.body);
      if (!parsed.ok) return showForm(req, res, 'new', values, { status: 422, errors: parsed.errors });
      try {
        await service.createUser(actorOf(req), parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, '/admin/users', req.t('admin.users.created', { name: parsed.data.username }));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'new', values, { status: 422, errors: err.fields });
        throw err;
      }
    },

    editForm: async (req: Request, res: Response) => {
      const user = await service.findOrFail(idParam(req));
      await showForm(req, res, 'edit', valuesOfRecord(user), { account: user });
    },

    update: async (req: Request, res: Response) => {
      const user = await service.findOrFail(idParam(req));
      const values = { ...valuesOfBody(req.body), username: user.username };
      const version = versionInput.safeParse(req.body);
      const parsed = parseForm(userProfileInput, req.body);
      if (!version.success) throw new NotFoundError();
      if (!parsed.ok) return showForm(req, res, 'edit', values, { status: 422, errors: parsed.errors, account: user });
      try {
        await service.updateUser(actorOf(req), user.id, version.data.version, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, '/admin/users', req.t('admin.users.updated', { name: user.username }));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'edit', values, { status: 422, errors: err.fields, account: user });
        if (err instanceof ConflictError) {
          const current = await service.findOrFail(user.id);
          const saved = valuesOfRecord(current);
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showForm(req, res, 'edit', { ...values, version: saved.version }, {
            status: 409,
            account: current,
            conflict: conflictOf(saved, values, PROFILE_FIELDS),
          });
        }
        throw err;
      }
    },

    passwordForm: async (req: Request, res: Response) => {
      await showPasswordForm(req, res, await service.findOrFail(idParam(req)));
    },

    resetPassword: async (req: Request, res: Response) => {
      const user = await service.findOrFail(idParam(req));
      const parsed = parseForm(passwordInput, req.body);
      if (!parsed.ok) return showPasswordForm(req, res, user, parsed.errors, 422);
      try {
        await service.resetPassword(actorOf(req), user.id, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, `/admin/users/${user.id}/edit`, req.t('admin.users.password_reset', { name: user.username }));
      } catch (err) {
        if (err instanceof ValidationError) return showPasswordForm(req, res, user, err.fields, 422);
        throw err;
      }
    },

    deactivateConfirm: async (req: Request, res: Response) => {
      await showDeactivate(req, res, await service.findOrFail(idParam(req)));
    },

    deactivate: async (req: Request, res: Response) => {
      const id = idParam(req);
      try {
        const user = await service.deactivateUser(actorOf(req), id, requestInfo(req));
        await redirectWithFlash(req, res, '/admin/users', req.t('admin.users.deactivated', { name: user.username }));
      } catch (err) {
        if (err instanceof ValidationError) return showDeactivate(req, res, await service.findOrFail(id), err.fields, 422);
        throw err;
      }
    },

    activate: async (req: Request, res: Response) => {
      const user = await service.activateUser(actorOf(req), idParam(req), requestInfo(req));
      await redirectWithFlash(req, res, `/admin/users/${user.id}/edit`, req.t('admin.users.activated', { name: user.username }));
    },

    unlock: async (req: Request, res: Response) => {
      const user = await service.unlock(actorOf(req), idParam(req), requestInfo(req));
      await redirectWithFlash(req, res, `/admin/users/${user.id}/edit`, req.t('admin.users.unlocked', { name: user.username }));
    },
  };
}
