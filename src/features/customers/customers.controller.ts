import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parsePage } from '../../shared/pagination.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { renderCustomerPage } from '../timeline/customer-page.js';
import { formOptions, newCustomerValues, valuesOfBody, valuesOfRecord, type FormValues } from './customers.form.js';
import { customerRepository } from './customers.repository.js';
import { customerListQuery, customerInput } from './customers.schema.js';
import { versionInput } from '../../shared/version.js';
import { customerService, deleteRefusal } from './customers.service.js';

export function customerController({ db }: AppContext) {
  const repo = customerRepository(db);
  const service = customerService(db);

  async function showForm(
    req: Request,
    res: Response,
    view: 'new' | 'edit',
    values: FormValues,
    extra: { status?: number; errors?: FieldErrors; customerId?: number; [key: string]: unknown } = {},
  ): Promise<void> {
    const { status = 200, ...locals } = extra;
    const options = await formOptions(db, actorOf(req), req.locale, values);
    const title = req.t(view === 'new' ? 'customers.new_title' : 'customers.edit_title');
    await renderPage(res, `features/customers/views/${view}`, { title, values, options, errors: {}, ...locals }, status);
  }

  return {
    index: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const filters = customerListQuery.parse(req.query);
      const pageRequest = parsePage(req.query);
      const [pageData, options] = await Promise.all([
        repo.list(actor, filters, pageRequest),
        formOptions(db, actor, req.locale),
      ]);
      await renderPage(res, 'features/customers/views/index', {
        title: req.t('customers.title'),
        pageData,
        filters,
        perPage: pageRequest.perPage,
        labels: options.labels,
        options,
      });
    },

    newForm: async (req: Request, res: Response) => {
      await showForm(req, res, 'new', newCustomerValues(actorOf(req)));
    },

    create: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const values = valuesOfBody(req.body);
      const parsed = parseForm(customerInput, req.body);
      if (!parsed.ok) return showForm(req, res, 'new', values, { status: 422, errors: parsed.errors });
      if ((req.body as Record<string, unknown>).confirm_duplicate !== '1') {
        const duplicates = await service.possibleDuplicates(actor, parsed.data);
        if (duplicates.length > 0) return showForm(req, res, 'new', values, { duplicates });
      }
      try {
        const id = await service.createCustomer(actor, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, `/customers/${id}`, req.t('customers.created', { name: parsed.data.name }));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'new', values, { status: 422, errors: err.fields });
        throw err;
      }
    },

    show: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const customer = await repo.findById(actor, idParam(req), {
        includeDeleted: actor.permissions.has('customers.restore'),
      });
      if (!customer) throw new NotFoundError();
      // Contacts, the follow-up form and the timeline join the details: see timeline/customer-page.ts.
      await renderCustomerPage(db, req, res, customer);
    },

    editForm: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const customer = await repo.findById(actor, idParam(req));
      if (!customer) throw new NotFoundError();
      await showForm(req, res, 'edit', valuesOfRecord(customer, actor.timeZone), { customerId: customer.id });
    },

    update: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const id = idParam(req);
      const values = valuesOfBody(req.body);
      const version = versionInput.safeParse(req.body);
      const parsed = parseForm(customerInput, req.body);
      if (!version.success) throw new NotFoundError();
      if (!parsed.ok) return showForm(req, res, 'edit', values, { status: 422, errors: parsed.errors, customerId: id });
      try {
        await service.updateCustomer(actor, id, version.data.version, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, `/customers/${id}`, req.t('customers.updated', { name: parsed.data.name }));
      } catch (err) {
        if (err instanceof ValidationError) {
          return showForm(req, res, 'edit', values, { status: 422, errors: err.fields, customerId: id });
        }
        if (err instanceof ConflictError) {
          const current = await repo.findById(actor, id);
          if (!current) throw new NotFoundError();
          const saved = valuesOfRecord(current, actor.timeZone);
          const differing = Object.keys(saved).filter((f) => f !== 'version' && saved[f] !== (values[f] ?? ''));
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showForm(req, res, 'edit', { ...values, version: saved.version }, {
            status: 409,
            customerId: id,
            conflict: { saved, differing },
          });
        }
        throw err;
      }
    },

    deleteConfirm: async (req: Request, res: Response) => {
      const customer = await repo.findById(actorOf(req), idParam(req));
      if (!customer) throw new NotFoundError();
      // Said before asking, rather than after the click: a customer with contracts stays.
      const contracts = await service.liveContracts(customer.id);
      const errors = contracts > 0 ? { _form: deleteRefusal(customer.name, contracts) } : {};
      await renderPage(res, 'features/customers/views/delete', { title: req.t('customers.delete_title'), customer, errors });
    },

    remove: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      try {
        const customer = await service.deleteCustomer(actor, idParam(req), requestInfo(req));
        await redirectWithFlash(req, res, '/customers', req.t('customers.deleted', { name: customer.name }));
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const customer = await repo.findById(actor, idParam(req));
        if (!customer) throw new NotFoundError();
        const view = 'features/customers/views/delete';
        await renderPage(res, view, { title: req.t('customers.delete_title'), customer, errors: err.fields }, 422);
      }
    },

    restore: async (req: Request, res: Response) => {
      const customer = await service.restoreCustomer(actorOf(req), idParam(req), requestInfo(req));
      await redirectWithFlash(req, res, `/customers/${customer.id}`, req.t('customers.restored', { name: customer.name }));
    },
  };
}
