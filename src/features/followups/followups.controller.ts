import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parsePage } from '../../shared/pagination.js';
import { renderPage } from '../../shared/render.js';
import { requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { searchCustomers } from '../customers/index.js';
import { loadDictionaries } from '../dictionaries/dictionary.repository.js';
import { renderCustomerPage } from '../timeline/customer-page.js';
import { followupFormOptions, newFollowupValues, valuesOfBody, type FormValues } from './followups.form.js';
import { followupRepository } from './followups.repository.js';
import { customerIdInput, customerPickQuery, followupInput, followupListQuery } from './followups.schema.js';
import { followupService } from './followups.service.js';

type Customer = { id: number; name: string };

/** Where the form was sent from: the customer page's short form comes back to that page. */
const fromCustomerPage = (body: unknown) => (body as Record<string, unknown> | undefined)?.from === 'customer';

export function followupController({ db }: AppContext) {
  const repo = followupRepository(db);
  const service = followupService(db);

  async function showForm(req: Request, res: Response, customer: Customer, values: FormValues, errors: FieldErrors = {}, status = 200) {
    const options = await followupFormOptions(db, actorOf(req), customer.id, req.locale);
    await renderPage(res, 'features/followups/views/new', { title: req.t('followups.new_title'), customer, values, options, errors }, status);
  }

  function customerIdOf(source: unknown): number | undefined {
    const parsed = customerIdInput.safeParse(source);
    return parsed.success ? parsed.data.customer_id : undefined;
  }

  return {
    index: async (req: Request, res: Response) => {
      const filters = followupListQuery.parse(req.query);
      const [pageData, dictionaries] = await Promise.all([
        repo.list(actorOf(req), filters, parsePage(req.query)),
        loadDictionaries(db, ['followup_type'], req.locale),
      ]);
      await renderPage(res, 'features/followups/views/index', {
        title: req.t('followups.title'),
        pageData,
        filters,
        types: dictionaries.active('followup_type'),
        labels: dictionaries.label,
      });
    },

    /** With ?customer_id the form; without it, a search for the customer to log on. */
    newForm: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const customerId = customerIdOf(req.query);
      if (customerId !== undefined) {
        const customer = await service.customerFor(actor, customerId);
        return showForm(req, res, customer, newFollowupValues(actor));
      }
      if (req.query.customer_id !== undefined && req.query.customer_id !== '') throw new NotFoundError();
      const { q } = customerPickQuery.parse(req.query);
      const matches = q ? await searchCustomers(db, actor, q) : [];
      await renderPage(res, 'features/followups/views/pick-customer', { title: req.t('followups.new_title'), q: q ?? '', matches });
    },

    create: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const customerId = customerIdOf(req.body);
      if (customerId === undefined) throw new NotFoundError();
      const customer = await service.customerFor(actor, customerId);
      const values = valuesOfBody(req.body);
      const showAgain = (errors: FieldErrors) =>
        fromCustomerPage(req.body)
          ? renderCustomerPage(db, req, res, customer, { values, errors }, 422)
          : showForm(req, res, customer, values, errors, 422);
      const parsed = parseForm(followupInput, req.body);
      if (!parsed.ok) return showAgain(parsed.errors);
      try {
        await service.logFollowup(actor, customer.id, parsed.data, requestInfo(req));
      } catch (err) {
        if (err instanceof ValidationError) return showAgain(err.fields);
        throw err;
      }
      await redirectWithFlash(req, res, `/customers/${customer.id}`, req.t('followups.logged', { name: customer.name }));
    },
  };
}
