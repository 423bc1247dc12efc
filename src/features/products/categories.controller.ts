import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, HttpError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo, typedValues } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { conflictOf, versionInput } from '../../shared/version.js';
import { categoryInput, CATEGORY_FIELDS, moveInput } from './categories.schema.js';
import { CategoryInUseError, categoryService } from './categories.service.js';
import { categoryLabel, subtreeIds, type CategoryRow } from './categories.tree.js';
import { categoryTree } from './products.form.js';

const VIEWS = 'features/products/views/categories';
const LIST = '/products/categories';

type FormValues = Record<string, string>;

/** A stored category as the strings its edit form shows, with the version the form carries. */
function valuesOfRecord(category: CategoryRow): FormValues {
  return {
    name_zh: category.name_zh,
    name_en: category.name_en,
    parent_id: String(category.parent_id ?? ''),
    version: String(category.version),
  };
}

/** What the admin typed, kept as typed to show the form again. */
const valuesOfBody = (body: unknown): FormValues => typedValues(body, [...CATEGORY_FIELDS, 'version']);

export function categoryController({ db }: AppContext) {
  const service = categoryService(db);

  /** The tree with the "add" form beside it; `values` and `errors` belong to that form. */
  async function showIndex(req: Request, res: Response, values: Record<string, string> = {}, errors: FieldErrors = {}, status = 200) {
    const tree = await categoryTree(db, req.locale);
    await renderPage(res, `${VIEWS}/index`, {
      title: req.t('products.categories.title'),
      nodes: tree.nodes,
      parents: tree.options,
      values: { name_zh: '', name_en: '', parent_id: '', ...values },
      errors,
    }, status);
  }

  async function showEdit(
    req: Request,
    res: Response,
    id: number,
    values?: FormValues,
    extra: { status?: number; errors?: FieldErrors; [key: string]: unknown } = {},
  ) {
    const { status = 200, ...locals } = extra;
    const category = await service.findOrFail(id);
    const tree = await categoryTree(db, req.locale);
    // A category cannot move under itself or below itself.
    const excluded = new Set(subtreeIds(tree.nodes, id).map(String));
    await renderPage(res, `${VIEWS}/edit`, {
      title: req.t('products.categories.edit_title'),
      category,
      parents: tree.options.filter((o) => !excluded.has(o.value)),
      values: values ?? valuesOfRecord(category),
      errors: {},
      ...locals,
    }, status);
  }

  async function showDelete(req: Request, res: Response, id: number, status = 200) {
    const category = await service.findOrFail(id);
    const reason = await service.whyNotDeletable(id);
    await renderPage(res, `${VIEWS}/delete`, {
      title: req.t('products.categories.delete_title'),
      category,
      label: categoryLabel(category, req.locale),
      reason,
      refused: status !== 200,
    }, status);
  }

  return {
    index: (req: Request, res: Response) => showIndex(req, res),

    create: async (req: Request, res: Response) => {
      const values = typedValues(req.body, CATEGORY_FIELDS);
      const parsed = parseForm(categoryInput, req.body);
      if (!parsed.ok) return showIndex(req, res, values, parsed.errors, 422);
      try {
        await service.create(actorOf(req), parsed.data, requestInfo(req));
      } catch (err) {
        if (err instanceof ValidationError) return showIndex(req, res, values, err.fields, 422);
        throw err;
      }
      await redirectWithFlash(req, res, LIST, req.t('products.categories.created', { name: categoryLabel(parsed.data, req.locale) }));
    },

    editForm: (req: Request, res: Response) => showEdit(req, res, idParam(req)),

    update: async (req: Request, res: Response) => {
      const id = idParam(req);
      await service.findOrFail(id);
      const values = valuesOfBody(req.body);
      const version = versionInput.safeParse(req.body);
      const parsed = parseForm(categoryInput, req.body);
      if (!version.success) throw new NotFoundError();
      if (!parsed.ok) return showEdit(req, res, id, values, { status: 422, errors: parsed.errors });
      try {
        await service.update(actorOf(req), id, version.data.version, parsed.data, requestInfo(req));
      } catch (err) {
        if (err instanceof ValidationError) return showEdit(req, res, id, values, { status: 422, errors: err.fields });
        if (err instanceof ConflictError) {
          const saved = valuesOfRecord(await service.findOrFail(id));
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showEdit(req, res, id, { ...values, version: saved.version }, { status: 409, conflict: conflictOf(saved, values, CATEGORY_FIELDS) });
        }
        throw err;
      }
      await redirectWithFlash(req, res, LIST, req.t('products.categories.updated', { name: categoryLabel(parsed.data, req.locale) }));
    },

    move: async (req: Request, res: Response) => {
      const id = idParam(req);
      const parsed = moveInput.safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, 'Unknown direction');
      const category = await service.move(actorOf(req), id, parsed.data.direction, requestInfo(req));
      await redirectWithFlash(req, res, LIST, req.t('products.categories.moved', { name: categoryLabel(category, req.locale) }));
    },

    deleteConfirm: (req: Request, res: Response) => showDelete(req, res, idParam(req)),

    remove: async (req: Request, res: Response) => {
      const id = idParam(req);
      try {
        const category = await service.remove(actorOf(req), id, requestInfo(req));
        await redirectWithFlash(req, res, LIST, req.t('products.categories.deleted', { name: categoryLabel(category, req.locale) }));
      } catch (err) {
        if (err instanceof CategoryInUseError) return showDelete(req, res, id, err.status);
        throw err;
      }
    },
  };
}
