import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, HttpError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parsePage } from '../../shared/pagination.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { conflictOf, versionInput } from '../../shared/version.js';
import { DICTIONARY_TYPES, labelOf } from '../dictionaries/dictionary.repository.js';
import { listUrl, newValues, valuesOfBody, valuesOfRecord, type FormValues } from './dictionaries.form.js';
import { dictionaryAdminRepository, type DictionaryEntry } from './dictionaries.repository.js';
import { dictionaryEditInput, dictionaryListQuery, dictionaryNewInput, EDIT_FIELDS, moveInput } from './dictionaries.schema.js';
import { dictionaryAdminService, ValueInUseError } from './dictionaries.service.js';

const VIEWS = 'features/admin-dictionaries/views';

export function adminDictionaryController({ db }: AppContext) {
  const repo = dictionaryAdminRepository(db);
  const service = dictionaryAdminService(db);

  async function showForm(
    req: Request,
    res: Response,
    view: 'new' | 'edit',
    values: FormValues,
    extra: { status?: number; errors?: FieldErrors; entry?: DictionaryEntry; conflict?: ReturnType<typeof conflictOf> } = {},
  ): Promise<void> {
    const { status = 200, ...locals } = extra;
    const title = req.t(view === 'new' ? 'admin.dictionaries.new_title' : 'admin.dictionaries.edit_title');
    await renderPage(res, `${VIEWS}/${view}`, { title, values, types: DICTIONARY_TYPES, errors: {}, ...locals }, status);
  }

  async function showDelete(req: Request, res: Response, entry: DictionaryEntry, status = 200): Promise<void> {
    const inUse = await service.isInUse(entry);
    const title = req.t('admin.dictionaries.delete_title');
    await renderPage(res, `${VIEWS}/delete`, { title, entry, inUse, refused: status !== 200, label: labelOf(entry, req.locale) }, status);
  }

  return {
    index: async (req: Request, res: Response) => {
      const filters = dictionaryListQuery.parse(req.query);
      const pageRequest = parsePage(req.query);
      const pageData = await repo.list(filters, pageRequest);
      await renderPage(res, `${VIEWS}/index`, { title: req.t('admin.dictionaries.title'), pageData, filters, types: DICTIONARY_TYPES });
    },

    newForm: async (req: Request, res: Response) => {
      await showForm(req, res, 'new', newValues(req.query.type));
    },

    create: async (req: Request, res: Response) => {
      const values = valuesOfBody(req.body);
      const parsed = parseForm(dictionaryNewInput, req.body);
      if (!parsed.ok) return showForm(req, res, 'new', values, { status: 422, errors: parsed.errors });
      try {
        const entry = await service.createValue(actorOf(req), parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, listUrl(entry.type), req.t('admin.dictionaries.created', { label: labelOf(entry, req.locale) }));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'new', values, { status: 422, errors: err.fields });
        throw err;
      }
    },

    editForm: async (req: Request, res: Response) => {
      const entry = await service.findOrFail(idParam(req));
      await showForm(req, res, 'edit', valuesOfRecord(entry), { entry });
    },

    update: async (req: Request, res: Response) => {
      const entry = await service.findOrFail(idParam(req));
      // The type and code are fixed: shown from the record, whatever the request says.
      const values = { ...valuesOfBody(req.body), type: entry.type, code: entry.code };
      const version = versionInput.safeParse(req.body);
      const parsed = parseForm(dictionaryEditInput, req.body);
      if (!version.success) throw new NotFoundError();
      if (!parsed.ok) return showForm(req, res, 'edit', values, { status: 422, errors: parsed.errors, entry });
      try {
        const saved = await service.updateValue(actorOf(req), entry.id, version.data.version, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, listUrl(saved.type), req.t('admin.dictionaries.updated', { label: labelOf(saved, req.locale) }));
      } catch (err) {
        if (err instanceof ConflictError) {
          const current = await service.findOrFail(entry.id);
          const saved = valuesOfRecord(current);
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showForm(req, res, 'edit', { ...values, version: saved.version }, {
            status: 409,
            entry: current,
            conflict: conflictOf(saved, values, EDIT_FIELDS),
          });
        }
        throw err;
      }
    },

    move: async (req: Request, res: Response) => {
      const id = idParam(req);
      const parsed = moveInput.safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, 'Unknown direction');
      const entry = await service.move(actorOf(req), id, parsed.data.direction, requestInfo(req));
      await redirectWithFlash(req, res, listUrl(entry.type), req.t('admin.dictionaries.moved', { label: labelOf(entry, req.locale) }));
    },

    activate: async (req: Request, res: Response) => {
      const entry = await service.setActive(actorOf(req), idParam(req), true, requestInfo(req));
      await redirectWithFlash(req, res, listUrl(entry.type), req.t('admin.dictionaries.activated', { label: labelOf(entry, req.locale) }));
    },

    deactivate: async (req: Request, res: Response) => {
      const entry = await service.setActive(actorOf(req), idParam(req), false, requestInfo(req));
      await redirectWithFlash(req, res, listUrl(entry.type), req.t('admin.dictionaries.deactivated', { label: labelOf(entry, req.locale) }));
    },

    deleteConfirm: async (req: Request, res: Response) => {
      await showDelete(req, res, await service.findOrFail(idParam(req)));
    },

    remove: async (req: Request, res: Response) => {
      const id = idParam(req);
      try {
        const entry = await service.deleteValue(actorOf(req), id, requestInfo(req));
        await redirectWithFlash(req, res, listUrl(entry.type), req.t('admin.dictionaries.deleted', { label: labelOf(entry, req.locale) }));
      } catch (err) {
        if (err instanceof ValueInUseError) return showDelete(req, res, await service.findOrFail(id), err.status);
        throw err;
      }
    },
  };
}
