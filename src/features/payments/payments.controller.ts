import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { assignableUsers } from '../../authz/data-scope.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parsePage } from '../../shared/pagination.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo, typedValues } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { conflictOf, versionInput } from '../../shared/version.js';
import { localToday } from '../../i18n/calendar.js';
import { renderContractPage } from '../contracts/contracts.page.js';
import { contractRepository } from '../contracts/contracts.repository.js';
import { paymentRepository, type PlanRow } from './payments.repository.js';
import { PLAN_FORM_FIELDS, RECORD_FORM_FIELDS, planInput, receivablesQuery, recordInput } from './payments.schema.js';
import { paymentService } from './payments.service.js';

/** The `:planId` of a plan route; anything but an id is a plan that does not exist. */
const planIdParam = (req: Request): number => idParam(req, 'planId');

/** A plan as its edit form shows it, with the version the form was opened on. */
function planValues(plan: PlanRow): Record<string, string> {
  return { seq: String(plan.seq), due_date: plan.due_date, amount: plan.amount, remark: plan.remark ?? '', version: String(plan.version) };
}

export function paymentController({ db }: AppContext) {
  const contracts = contractRepository(db);
  const repo = paymentRepository(db);
  const service = paymentService(db);

  /** The contract (in scope) and one of its plans, or 404. */
  async function contractAndPlan(req: Request) {
    const contract = await contracts.findById(actorOf(req), idParam(req));
    if (!contract) throw new NotFoundError();
    const plan = await repo.planOf(contract.id, planIdParam(req));
    if (!plan) throw new NotFoundError();
    return { contract, plan };
  }

  async function showPlanForm(
    req: Request,
    res: Response,
    values: Record<string, string>,
    extra: { status?: number; errors?: FieldErrors; conflict?: { saved: Record<string, string>; differing: string[] } } = {},
  ) {
    const { contract, plan } = await contractAndPlan(req);
    const { status = 200, ...locals } = extra;
    await renderPage(res, 'features/payments/views/plan-edit', { title: req.t('payments.plan_edit_title'), contract, plan, values, errors: {}, ...locals }, status);
  }

  return {
    /** /payments: the receivables in scope, not settled by default, with totals. */
    index: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const filters = receivablesQuery.parse(req.query);
      const pageRequest = parsePage(req.query);
      const today = localToday(actor.timeZone);
      const { pageData, totals } = await repo.receivables(actor, filters, pageRequest, today);
      const owners = actor.dataScope === 'own' ? [] : (await assignableUsers(db, actor)).map((u) => ({ value: String(u.id), label: u.display_name }));
      await renderPage(res, 'features/payments/views/index', { title: req.t('payments.title'), pageData, totals, filters, owners, today });
    },

    addPlan: async (req: Request, res: Response) => {
      const id = idParam(req);
      const values = typedValues(req.body, PLAN_FORM_FIELDS);
      const again = (errors: FieldErrors) => renderContractPage(db, req, res, id, { status: 422, errors, form: 'plan', values });
      const parsed = parseForm(planInput, req.body);
      if (!parsed.ok) return again(parsed.errors);
      try {
        await service.addPlan(actorOf(req), id, parsed.data, requestInfo(req));
      } catch (err) {
        if (err instanceof ValidationError) return again(err.fields);
        throw err;
      }
      await redirectWithFlash(req, res, `/contracts/${id}#receivables`, req.t('payments.plan_added'));
    },

    editPlanForm: async (req: Request, res: Response) => {
      const { plan } = await contractAndPlan(req);
      await showPlanForm(req, res, planValues(plan));
    },

    updatePlan: async (req: Request, res: Response) => {
      const { contract, plan } = await contractAndPlan(req);
      const values = typedValues(req.body, [...PLAN_FORM_FIELDS, 'version']);
      const version = versionInput.safeParse(req.body);
      const parsed = parseForm(planInput, req.body);
      if (!version.success) throw new NotFoundError();
      if (!parsed.ok) return showPlanForm(req, res, values, { status: 422, errors: parsed.errors });
      try {
        await service.updatePlan(actorOf(req), contract.id, plan.id, version.data.version, parsed.data, requestInfo(req));
      } catch (err) {
        if (err instanceof ValidationError) return showPlanForm(req, res, values, { status: 422, errors: err.fields });
        if (err instanceof ConflictError) {
          const current = await repo.planOf(contract.id, plan.id);
          if (!current) throw new NotFoundError();
          const conflict = conflictOf(planValues(current), values, PLAN_FORM_FIELDS);
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showPlanForm(req, res, { ...values, version: String(current.version) }, { status: 409, conflict });
        }
        throw err;
      }
      await redirectWithFlash(req, res, `/contracts/${contract.id}#receivables`, req.t('payments.plan_updated', { seq: parsed.data.seq ?? plan.seq }));
    },

    deletePlanConfirm: async (req: Request, res: Response) => {
      const { contract, plan } = await contractAndPlan(req);
      await renderPage(res, 'features/payments/views/plan-delete', { title: req.t('payments.plan_delete_title'), contract, plan });
    },

    deletePlan: async (req: Request, res: Response) => {
      const { contract, plan } = await contractAndPlan(req);
      try {
        await service.deletePlan(actorOf(req), contract.id, plan.id, requestInfo(req));
      } catch (err) {
        if (err instanceof ValidationError) {
          return renderPage(res, 'features/payments/views/plan-delete', { title: req.t('payments.plan_delete_title'), contract, plan, errors: err.fields }, 422);
        }
        throw err;
      }
      await redirectWithFlash(req, res, `/contracts/${contract.id}#receivables`, req.t('payments.plan_deleted', { seq: plan.seq }));
    },

    addRecord: async (req: Request, res: Response) => {
      const id = idParam(req);
      const values = typedValues(req.body, RECORD_FORM_FIELDS);
      const again = (errors: FieldErrors) => renderContractPage(db, req, res, id, { status: 422, errors, form: 'record', values });
      const parsed = parseForm(recordInput, req.body);
      if (!parsed.ok) return again(parsed.errors);
      try {
        await service.addRecord(actorOf(req), id, parsed.data, requestInfo(req));
      } catch (err) {
        if (err instanceof ValidationError) return again(err.fields);
        throw err;
      }
      await redirectWithFlash(req, res, `/contracts/${id}#receivables`, req.t('payments.record_added', { amount: parsed.data.amount }));
    },
  };
}
