import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { historyOf } from '../../shared/audit.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parsePage } from '../../shared/pagination.js';
import { renderPage } from '../../shared/render.js';
import { parseId, queryId } from '../../shared/ids.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { parseLineItems, readLineItems, valuesOfStoredItems, wantsMoreRows, type LineItemValues } from '../line-items/index.js';
import { formLocals, newQuoteValues, valuesOfBody, valuesOfRecord, type FormValues } from './quotes.form.js';
import { quoteLookups, type QuoteCustomer } from './quotes.lookups.js';
import { quoteRepository, type QuoteDetail } from './quotes.repository.js';
import { QUOTE_FIELDS, QUOTE_STATUSES, quoteInput, quoteListQuery, statusInput } from './quotes.schema.js';
import { versionInput } from '../../shared/version.js';
import { QuoteStateError, quoteService } from './quotes.service.js';
import { allowedTransitions, isEditable } from './quotes.status.js';

const VIEWS = 'features/quotes/views';

type FormExtra = { status?: number; errors?: FieldErrors; quoteId?: number; [key: string]: unknown };

export function quoteController({ db }: AppContext) {
  const repo = quoteRepository(db);
  const service = quoteService(db);
  const lookups = quoteLookups(db);

  async function showForm(
    req: Request,
    res: Response,
    view: 'new' | 'edit',
    customer: QuoteCustomer,
    values: FormValues,
    rows: LineItemValues[],
    extra: FormExtra = {},
  ): Promise<void> {
    const { status = 200, ...locals } = extra;
    const options = await formLocals(db, actorOf(req), customer, rows, req.method === 'POST' ? req.body : undefined);
    const title = req.t(view === 'new' ? 'quotes.new_title' : 'quotes.edit_title');
    await renderPage(res, `${VIEWS}/${view}`, { title, values, ...options, errors: {}, ...locals }, status);
  }

  /** The quote page; `notice` explains a refused action (409 / 422) shown on it. */
  async function showQuote(req: Request, res: Response, quote: QuoteDetail, status = 200, notice?: string): Promise<void> {
    const [items, history] = await Promise.all([service.items(quote.id), historyOf(db, 'quote', quote.id, 20)]);
    await renderPage(res, `${VIEWS}/show`, {
      title: quote.number,
      quote,
      items,
      history,
      transitions: allowedTransitions(quote.status),
      editable: isEditable(quote.status),
      notice,
    }, status);
  }

  /** The customer a posted form names: in scope, or the quote does not exist for this user (404). */
  async function postedCustomer(req: Request): Promise<QuoteCustomer> {
    const id = parseId((req.body as Record<string, unknown>).customer_id);
    const customer = id !== null ? await lookups.customer(actorOf(req), id) : undefined;
    if (!customer) throw new NotFoundError();
    return customer;
  }

  return {
    index: async (req: Request, res: Response) => {
      const filters = quoteListQuery.parse(req.query);
      const pageRequest = parsePage(req.query);
      const pageData = await repo.list(actorOf(req), filters, pageRequest);
      await renderPage(res, `${VIEWS}/index`, { title: req.t('quotes.title'), pageData, filters, statuses: QUOTE_STATUSES });
    },

    /** With ?customer_id the form; without, a search for the customer to quote. */
    newForm: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const customerId = queryId(req.query, 'customer_id');
      if (customerId !== undefined) {
        const customer = await lookups.customer(actor, customerId);
        if (!customer) throw new NotFoundError();
        const opportunityId = parseId(req.query.opportunity_id) ?? undefined;
        return showForm(req, res, 'new', customer, newQuoteValues(customer.id, opportunityId), []);
      }
      const q = typeof req.query.customer_q === 'string' ? req.query.customer_q.trim().slice(0, 100) : '';
      const matches = q ? await lookups.searchCustomers(actor, q) : [];
      await renderPage(res, `${VIEWS}/pick-customer`, { title: req.t('quotes.new_title'), q, matches });
    },

    create: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const customer = await postedCustomer(req);
      const values = valuesOfBody(req.body);
      if (wantsMoreRows(req.body)) return showForm(req, res, 'new', customer, values, parseLineItems(req.body).rows);
      const parsed = parseForm(quoteInput, req.body);
      const items = await readLineItems(db, req.body);
      const errors = { ...(parsed.ok ? {} : parsed.errors), ...items.errors };
      if (!parsed.ok || Object.keys(errors).length > 0) {
        return showForm(req, res, 'new', customer, values, items.rows, { status: 422, errors });
      }
      try {
        const quote = await service.create(actor, parsed.data, items.items, requestInfo(req));
        await redirectWithFlash(req, res, `/quotes/${quote.id}`, req.t('quotes.created', { number: quote.number }));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'new', customer, values, items.rows, { status: 422, errors: err.fields });
        throw err;
      }
    },

    show: async (req: Request, res: Response) => {
      await showQuote(req, res, await service.findOrFail(actorOf(req), idParam(req)));
    },

    editForm: async (req: Request, res: Response) => {
      const quote = await service.findOrFail(actorOf(req), idParam(req));
      if (!isEditable(quote.status)) return showQuote(req, res, quote, 409, req.t('quotes.not_editable'));
      const rows = valuesOfStoredItems(await service.items(quote.id));
      await showForm(req, res, 'edit', { id: quote.customer_id, name: quote.customer_name }, valuesOfRecord(quote), rows, { quoteId: quote.id });
    },

    update: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const id = idParam(req);
      const current = await service.findOrFail(actor, id);
      if (!isEditable(current.status)) return showQuote(req, res, current, 409, req.t('quotes.not_editable'));
      const customer = await postedCustomer(req);
      const values = valuesOfBody(req.body);
      const version = versionInput.safeParse(req.body);
      if (!version.success) throw new NotFoundError();
      if (wantsMoreRows(req.body)) return showForm(req, res, 'edit', customer, values, parseLineItems(req.body).rows, { quoteId: id });
      const stored = await service.items(id);
      const parsed = parseForm(quoteInput, req.body);
      // Products already on the quote stay selectable even if deactivated since.
      const items = await readLineItems(db, req.body, { keepProductIds: stored.flatMap((i) => (i.product_id ? [i.product_id] : [])) });
      const errors = { ...(parsed.ok ? {} : parsed.errors), ...items.errors };
      if (!parsed.ok || Object.keys(errors).length > 0) {
        return showForm(req, res, 'edit', customer, values, items.rows, { status: 422, errors, quoteId: id });
      }
      try {
        await service.update(actor, id, version.data.version, parsed.data, items.items, requestInfo(req));
        await redirectWithFlash(req, res, `/quotes/${id}`, req.t('quotes.updated', { number: current.number }));
      } catch (err) {
        if (err instanceof ValidationError) {
          return showForm(req, res, 'edit', customer, values, items.rows, { status: 422, errors: err.fields, quoteId: id });
        }
        if (err instanceof QuoteStateError) return showQuote(req, res, await service.findOrFail(actor, id), 409, req.t('quotes.not_editable'));
        if (err instanceof ConflictError) {
          const latest = await service.findOrFail(actor, id);
          if (!isEditable(latest.status)) return showQuote(req, res, latest, 409, req.t('quotes.not_editable'));
          const saved = valuesOfRecord(latest);
          const differing: string[] = QUOTE_FIELDS.filter((f) => saved[f] !== (values[f] ?? ''));
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showForm(req, res, 'edit', customer, { ...values, version: saved.version }, items.rows, {
            status: 409,
            quoteId: id,
            conflict: { saved, differing },
          });
        }
        throw err;
      }
    },

    status: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const id = idParam(req);
      const quote = await service.findOrFail(actor, id);
      const parsed = statusInput.safeParse(req.body);
      if (!parsed.success) return showQuote(req, res, quote, 422, req.t('quotes.status_invalid'));
      try {
        await service.changeStatus(actor, id, parsed.data.version, parsed.data.status, requestInfo(req));
        const status = req.t(`quotes.status.${parsed.data.status}`);
        await redirectWithFlash(req, res, `/quotes/${id}`, req.t('quotes.status_changed', { number: quote.number, status }));
      } catch (err) {
        if (err instanceof QuoteStateError) {
          const notice = req.t('quotes.transition_refused', {
            from: req.t(`quotes.status.${quote.status}`),
            to: req.t(`quotes.status.${parsed.data.status}`),
          });
          return showQuote(req, res, quote, 409, notice);
        }
        if (err instanceof ConflictError) return showQuote(req, res, await service.findOrFail(actor, id), 409, req.t('quotes.conflict_title'));
        throw err;
      }
    },
  };
}
