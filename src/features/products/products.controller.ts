import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parsePage } from '../../shared/pagination.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { categoryRepository } from './categories.repository.js';
import { subtreeIds } from './categories.tree.js';
import { categoryTree, newProductValues, valuesOfBody, valuesOfRecord, type FormValues } from './products.form.js';
import { productRepository } from './products.repository.js';
import { PRODUCT_FIELDS, productInput, productListQuery } from './products.schema.js';
import { versionInput } from '../../shared/version.js';
import { ProductInUseError, productService } from './products.service.js';

const VIEWS = 'features/products/views';

export function productController({ db }: AppContext) {
  const repo = productRepository(db);
  const service = productService(db);

  async function showForm(
    req: Request,
    res: Response,
    view: 'new' | 'edit',
    values: FormValues,
    extra: { status?: number; errors?: FieldErrors; productId?: number; [key: string]: unknown } = {},
  ): Promise<void> {
    const { status = 200, ...locals } = extra;
    const { options: categories } = await categoryTree(db, req.locale);
    const title = req.t(view === 'new' ? 'products.new_title' : 'products.edit_title');
    await renderPage(res, `${VIEWS}/${view}`, { title, values, categories, errors: {}, ...locals }, status);
  }

  async function showDelete(req: Request, res: Response, id: number, status = 200): Promise<void> {
    const product = await service.findOrFail(id);
    const inUse = await service.isUsed(id);
    await renderPage(res, `${VIEWS}/delete`, { title: req.t('products.delete_title'), product, inUse, refused: status !== 200 }, status);
  }

  return {
    index: async (req: Request, res: Response) => {
      const filters = productListQuery.parse(req.query);
      const pageRequest = parsePage(req.query);
      const tree = await categoryTree(db, req.locale);
      const categoryIds = filters.category_id ? subtreeIds(tree.nodes, filters.category_id) : null;
      const pageData = await repo.list(filters, categoryIds, pageRequest);
      const categoryNames = new Map(tree.nodes.map((n) => [n.id, n.label]));
      await renderPage(res, `${VIEWS}/index`, {
        title: req.t('products.title'),
        pageData,
        filters,
        categories: tree.options,
        categoryName: (id: number | null) => (id === null ? '' : (categoryNames.get(id) ?? '')),
      });
    },

    show: async (req: Request, res: Response) => {
      const product = await service.findOrFail(idParam(req));
      const category = product.category_id ? await categoryRepository(db).findById(product.category_id) : undefined;
      const tree = await categoryTree(db, req.locale);
      const path: string[] = [];
      for (let node = category; node; node = tree.nodes.find((n) => n.id === node!.parent_id)) {
        path.unshift(tree.nodes.find((n) => n.id === node!.id)?.label ?? '');
        if (path.length > 20) break;
      }
      await renderPage(res, `${VIEWS}/show`, { title: product.name, product, categoryPath: path.join(' / ') });
    },

    newForm: async (req: Request, res: Response) => {
      await showForm(req, res, 'new', newProductValues());
    },

    create: async (req: Request, res: Response) => {
      const values = valuesOfBody(req.body);
      const parsed = parseForm(productInput, req.body);
      if (!parsed.ok) return showForm(req, res, 'new', values, { status: 422, errors: parsed.errors });
      try {
        const id = await service.create(actorOf(req), parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, `/products/${id}`, req.t('products.created', { name: parsed.data.name }));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'new', values, { status: 422, errors: err.fields });
        throw err;
      }
    },

    editForm: async (req: Request, res: Response) => {
      const product = await service.findOrFail(idParam(req));
      await showForm(req, res, 'edit', valuesOfRecord(product), { productId: product.id });
    },

    update: async (req: Request, res: Response) => {
      const id = idParam(req);
      await service.findOrFail(id);
      const values = valuesOfBody(req.body);
      const version = versionInput.safeParse(req.body);
      const parsed = parseForm(productInput, req.body);
      if (!version.success) throw new NotFoundError();
      if (!parsed.ok) return showForm(req, res, 'edit', values, { status: 422, errors: parsed.errors, productId: id });
      try {
        await service.update(actorOf(req), id, version.data.version, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, `/products/${id}`, req.t('products.updated', { name: parsed.data.name }));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'edit', values, { status: 422, errors: err.fields, productId: id });
        if (err instanceof ConflictError) {
          const saved = valuesOfRecord(await service.findOrFail(id));
          const differing = PRODUCT_FIELDS.filter((f) => saved[f] !== (values[f] ?? ''));
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showForm(req, res, 'edit', { ...values, version: saved.version }, { status: 409, productId: id, conflict: { saved, differing } });
        }
        throw err;
      }
    },

    deactivate: async (req: Request, res: Response) => {
      const product = await service.setActive(actorOf(req), idParam(req), false, requestInfo(req));
      await redirectWithFlash(req, res, `/products/${product.id}`, req.t('products.deactivated', { name: product.name }));
    },

    activate: async (req: Request, res: Response) => {
      const product = await service.setActive(actorOf(req), idParam(req), true, requestInfo(req));
      await redirectWithFlash(req, res, `/products/${product.id}`, req.t('products.activated', { name: product.name }));
    },

    deleteConfirm: async (req: Request, res: Response) => {
      await showDelete(req, res, idParam(req));
    },

    remove: async (req: Request, res: Response) => {
      const id = idParam(req);
      try {
        const product = await service.remove(actorOf(req), id, requestInfo(req));
        await redirectWithFlash(req, res, '/products', req.t('products.deleted', { name: product.name }));
      } catch (err) {
        if (err instanceof ProductInUseError) return showDelete(req, res, id, err.status);
        throw err;
      }
    },
  };
}
