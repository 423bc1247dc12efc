import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { assignableUsers } from '../../authz/data-scope.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parsePage } from '../../shared/pagination.js';
import { renderPage } from '../../shared/render.js';
import { parseId, queryId } from '../../shared/ids.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { loadDictionaries } from '../dictionaries/dictionary.repository.js';
import { formOptions, newValues, valuesOfBody, valuesOfRecord, type FormValues } from './opportunities.form.js';
import { customerChoices, opportunityRepository } from './opportunities.repository.js';
import { opportunityInput, opportunityListQuery } from './opportunities.schema.js';
import { versionInput } from '../../shared/version.js';
import { opportunityService } from './opportunities.service.js';
import { amountText, weightedAmount } from './opportunity-totals.js';
import { loadStages, stageIndex, stageName } from './pipeline-stages.js';
import { stageHistoryOf } from './stage-history.js';
import { ruleFieldErrors, ruleMessages } from './stage-messages.js';
import { StageRuleError } from './stage-rules.js';

const VIEWS = 'features/opportunities/views';

export function opportunityController({ db }: AppContext) {
  const repo = opportunityRepository(db);
  const service = opportunityService(db);
  const customers = customerChoices(db);

  type FormExtra = { status?: number; errors?: FieldErrors; opportunityId?: number; problems?: string[]; [key: string]: unknown };

  async function showForm(req: Request, res: Response, view: 'new' | 'edit', values: FormValues, extra: FormExtra = {}): Promise<void> {
    const { status = 200, ...locals } = extra;
    const actor = actorOf(req);
    const options = await formOptions(db, actor, req.locale, values);
    const customerId = parseId(values.customer_id);
    const customer = customerId !== null ? await customers.find(actor, customerId) : undefined;
    const title = req.t(view === 'new' ? 'opportunities.new_title' : 'opportunities.edit_title');
    await renderPage(res, `${VIEWS}/${view}`, { title, values, options, customer, errors: {}, problems: [], ...locals }, status);
  }

  /** The opportunity's page; a deleted one too for those who may restore it, with why a restore was refused. */
  async function showPage(req: Request, res: Response, refused: FieldErrors = {}): Promise<void> {
    const actor = actorOf(req);
    const opportunity = await repo.findById(actor, idParam(req), db, { includeDeleted: actor.permissions.has('opportunities.restore') });
    if (!opportunity) throw new NotFoundError();
    const [stages, products, followups, history, dictionaries] = await Promise.all([
      loadStages(db),
      repo.products(opportunity.id),
      repo.followups(opportunity.id),
      stageHistoryOf(db, opportunity.id),
      loadDictionaries(db, ['lost_reason', 'followup_type'], req.locale),
    ]);
    const index = stageIndex(stages);
    const stage = index.byId(opportunity.stage_id);
    await renderPage(res, `${VIEWS}/show`, {
      title: opportunity.title,
      opportunity,
      stage,
      stageLabel: (id: number | null) => stageName(index.byId(id), req.locale),
      weighted: weightedAmount(opportunity.amount, opportunity.probability),
      products,
      followups,
      history,
      labels: dictionaries.label,
      money: amountText,
      errors: refused,
    }, Object.keys(refused).length > 0 ? 422 : 200);
  }

  /** A refused save: field errors, or the stage rules named one by one. */
  function failure(req: Request, err: unknown): Pick<FormExtra, 'errors' | 'problems'> | null {
    if (err instanceof ValidationError) return { errors: err.fields };
    if (err instanceof StageRuleError) return { errors: ruleFieldErrors(err), problems: ruleMessages(req.t, req.locale, err) };
    return null;
  }

  return {
    index: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const filters = opportunityListQuery.parse(req.query);
      const pageRequest = parsePage(req.query);
      const [pageData, stages, owners] = await Promise.all([
        repo.list(actor, filters, pageRequest),
        loadStages(db),
        actor.dataScope === 'own' ? Promise.resolve([]) : assignableUsers(db, actor),
      ]);
      const index = stageIndex(stages);
      await renderPage(res, `${VIEWS}/index`, {
        title: req.t('opportunities.title'),
        pageData,
        filters,
        stages,
        owners,
        stageLabel: (id: number) => stageName(index.byId(id), req.locale),
        weighted: weightedAmount,
        money: amountText,
      });
    },

    newForm: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const customerId = queryId(req.query, 'customer_id');
      if (customerId === undefined) {
        // No customer yet: a search box to pick one (works without JavaScript).
        const q = typeof req.query.customer_q === 'string' ? req.query.customer_q.trim().slice(0, 100) : '';
        const found = q ? await customers.search(actor, q) : [];
        await renderPage(res, `${VIEWS}/pick-customer`, { title: req.t('opportunities.new_title'), q, found });
        return;
      }
      if (!(await customers.find(actor, customerId))) throw new NotFoundError();
      const first = (await loadStages(db)).find((s) => s.is_active && s.kind === 'open');
      await showForm(req, res, 'new', newValues(actor, customerId, first?.id));
    },

    create: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const values = valuesOfBody(req.body);
      const parsed = parseForm(opportunityInput, req.body);
      if (!parsed.ok) return showForm(req, res, 'new', values, { status: 422, errors: parsed.errors });
      try {
        const id = await service.createOpportunity(actor, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, `/opportunities/${id}`, req.t('opportunities.created', { title: parsed.data.title }));
      } catch (err) {
        const refused = failure(req, err);
        if (refused) return showForm(req, res, 'new', values, { status: 422, ...refused });
        throw err;
      }
    },

    show: async (req: Request, res: Response) => showPage(req, res),

    editForm: async (req: Request, res: Response) => {
      const opportunity = await service.findOrFail(actorOf(req), idParam(req));
      const productIds = await repo.productIds(opportunity.id);
      await showForm(req, res, 'edit', valuesOfRecord(opportunity, productIds), { opportunityId: opportunity.id });
    },

    update: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const id = idParam(req);
      // Scope first: an opportunity out of reach is a 404 whatever the body says.
      const existing = await service.findOrFail(actor, id);
      const values: FormValues = { ...valuesOfBody(req.body), customer_id: String(existing.customer_id) };
      const version = versionInput.safeParse(req.body);
      if (!version.success) throw new NotFoundError();
      const parsed = parseForm(opportunityInput, { ...(req.body as object), customer_id: String(existing.customer_id) });
      if (!parsed.ok) return showForm(req, res, 'edit', values, { status: 422, errors: parsed.errors, opportunityId: id });
      try {
        await service.updateOpportunity(actor, id, version.data.version, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, `/opportunities/${id}`, req.t('opportunities.updated', { title: parsed.data.title }));
      } catch (err) {
        const refused = failure(req, err);
        if (refused) return showForm(req, res, 'edit', values, { status: 422, opportunityId: id, ...refused });
        if (err instanceof ConflictError) {
          const current = await service.findOrFail(actor, id);
          const saved = valuesOfRecord(current, await repo.productIds(id));
          const differing = Object.keys(saved).filter((f) => f !== 'version' && saved[f] !== (values[f] ?? ''));
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showForm(req, res, 'edit', { ...values, version: saved.version }, {
            status: 409,
            opportunityId: id,
            conflict: { saved, differing },
          });
        }
        throw err;
      }
    },

    deleteConfirm: async (req: Request, res: Response) => {
      const opportunity = await service.findOrFail(actorOf(req), idParam(req));
      await renderPage(res, `${VIEWS}/delete`, { title: req.t('opportunities.delete_title'), opportunity });
    },

    remove: async (req: Request, res: Response) => {
      const opportunity = await service.deleteOpportunity(actorOf(req), idParam(req), requestInfo(req));
      await redirectWithFlash(req, res, '/opportunities', req.t('opportunities.deleted', { title: opportunity.title }));
    },

    restore: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const id = idParam(req);
      try {
        const { opportunity, restored } = await service.restoreOpportunity(actor, id, requestInfo(req));
        const message = req.t(restored ? 'opportunities.restored' : 'opportunities.not_deleted', { title: opportunity.title });
        await redirectWithFlash(req, res, `/opportunities/${id}`, message, restored ? 'success' : 'info');
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        // Refused (its customer is deleted): the record's page again, saying why.
        await showPage(req, res, err.fields);
      }
    },
  };
}
