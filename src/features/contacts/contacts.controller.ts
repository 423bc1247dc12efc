import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { historyOf } from '../../shared/audit.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parsePage } from '../../shared/pagination.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { valuesOfBody, valuesOfRecord, type FormValues } from './contacts.form.js';
import { contactRepository } from './contacts.repository.js';
import { contactInput, contactListQuery, customerIdInput, CONTACT_FIELDS } from './contacts.schema.js';
import { versionInput } from '../../shared/version.js';
import { contactService } from './contacts.service.js';

type Customer = { id: number; name: string };

export function contactController({ db }: AppContext) {
  const repo = contactRepository(db);
  const service = contactService(db);

  async function showForm(
    req: Request,
    res: Response,
    view: 'new' | 'edit',
    values: FormValues,
    customer: Customer,
    extra: { status?: number; errors?: FieldErrors; contactId?: number; [key: string]: unknown } = {},
  ): Promise<void> {
    const { status = 200, ...locals } = extra;
    const title = req.t(view === 'new' ? 'contacts.new_title' : 'contacts.edit_title');
    await renderPage(res, `features/contacts/views/${view}`, { title, values, customer, errors: {}, ...locals }, status);
  }

  /** A query or form value naming the customer; missing or malformed is a record that does not exist. */
  function customerIdOf(source: unknown): number {
    const parsed = customerIdInput.safeParse(source);
    if (!parsed.success) throw new NotFoundError();
    return parsed.data.customer_id;
  }

  return {
    index: async (req: Request, res: Response) => {
      const filters = contactListQuery.parse(req.query);
      const pageRequest = parsePage(req.query);
      const pageData = await repo.list(actorOf(req), filters, pageRequest);
      await renderPage(res, 'features/contacts/views/index', { title: req.t('contacts.title'), pageData, filters });
    },

    newForm: async (req: Request, res: Response) => {
      const customer = await service.customerFor(actorOf(req), customerIdOf(req.query));
      await showForm(req, res, 'new', valuesOfBody({}), customer);
    },

    create: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const customer = await service.customerFor(actor, customerIdOf(req.body));
      const values = valuesOfBody(req.body);
      const parsed = parseForm(contactInput, req.body);
      if (!parsed.ok) return showForm(req, res, 'new', values, customer, { status: 422, errors: parsed.errors });
      try {
        await service.createContact(actor, customer.id, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, `/customers/${customer.id}`, req.t('contacts.created', { name: parsed.data.name }));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'new', values, customer, { status: 422, errors: err.fields });
        throw err;
      }
    },

    show: async (req: Request, res: Response) => {
      const contact = await repo.findById(actorOf(req), idParam(req));
      if (!contact) throw new NotFoundError();
      const history = await historyOf(db, 'contact', contact.id);
      await renderPage(res, 'features/contacts/views/show', { title: contact.name, contact, history });
    },

    editForm: async (req: Request, res: Response) => {
      const contact = await repo.findById(actorOf(req), idParam(req));
      if (!contact) throw new NotFoundError();
      await showForm(req, res, 'edit', valuesOfRecord(contact), { id: contact.customer_id, name: contact.customer_name }, {
        contactId: contact.id,
      });
    },

    update: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const id = idParam(req);
      const current = await repo.findById(actor, id);
      if (!current) throw new NotFoundError();
      const customer = { id: current.customer_id, name: current.customer_name };
      const values = valuesOfBody(req.body);
      const version = versionInput.safeParse(req.body);
      if (!version.success) throw new NotFoundError();
      const parsed = parseForm(contactInput, req.body);
      if (!parsed.ok) return showForm(req, res, 'edit', values, customer, { status: 422, errors: parsed.errors, contactId: id });
      try {
        await service.updateContact(actor, id, version.data.version, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, `/contacts/${id}`, req.t('contacts.updated', { name: parsed.data.name }));
      } catch (err) {
        if (err instanceof ValidationError) {
          return showForm(req, res, 'edit', values, customer, { status: 422, errors: err.fields, contactId: id });
        }
        if (err instanceof ConflictError) {
          const latest = await repo.findById(actor, id);
          if (!latest) throw new NotFoundError();
          const saved = valuesOfRecord(latest);
          const differing = CONTACT_FIELDS.filter((f) => saved[f] !== (values[f] ?? ''));
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showForm(req, res, 'edit', { ...values, version: saved.version }, customer, {
            status: 409,
            contactId: id,
            conflict: { saved, differing },
          });
        }
        throw err;
      }
    },

    deleteConfirm: async (req: Request, res: Response) => {
      const contact = await repo.findById(actorOf(req), idParam(req));
      if (!contact) throw new NotFoundError();
      await renderPage(res, 'features/contacts/views/delete', { title: req.t('contacts.delete_title'), contact });
    },

    remove: async (req: Request, res: Response) => {
      const version = versionInput.safeParse(req.body);
      const contact = await service.deleteContact(
        actorOf(req),
        idParam(req),
        version.success ? version.data.version : undefined,
        requestInfo(req),
      );
      await redirectWithFlash(req, res, `/customers/${contact.customer_id}`, req.t('contacts.deleted', { name: contact.name }));
    },
  };
}
