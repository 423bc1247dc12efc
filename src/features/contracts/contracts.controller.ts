import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { assignableUsers } from '../../authz/data-scope.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { flash, redirectWithFlash } from '../../shared/flash.js';
import { parsePage } from '../../shared/pagination.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo, typedValues } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { lineItemsLocals, readLineItems, wantsMoreRows, type LineItemValues } from '../line-items/index.js';
import { contractConversion } from './contracts.conversion.js';
import { RefusedError, WrongStatusError } from './contracts.events.js';
import { formOptions, newContractValues, storedItemValues, valuesOfBody, valuesOfRecord, type FormValues } from './contracts.form.js';
import { renderContractPage } from './contracts.page.js';
import { contractRepository } from './contracts.repository.js';
import { contractReferences } from './contracts.references.js';
import { CONTRACT_STATUSES, EDITABLE_STATUSES, commentInput, contractInput, contractListQuery, requiredCommentInput, signInput } from './contracts.schema.js';
import { versionInput } from '../../shared/version.js';
import { contractService } from './contracts.service.js';
import { contractWorkflow } from './contracts.workflow.js';

type FormExtras = { status?: number; errors?: FieldErrors; contractId?: number; body?: unknown; [key: string]: unknown };

export function contractController({ db }: AppContext) {
  const repo = contractRepository(db);
  const service = contractService(db);
  const references = contractReferences(db);
  const workflow = contractWorkflow(db);
  const conversion = contractConversion(db);

  async function showForm(req: Request, res: Response, view: 'new' | 'edit', values: FormValues, rows: LineItemValues[], extra: FormExtras = {}) {
    const { status = 200, body, ...locals } = extra;
    const actor = actorOf(req);
    const [options, lineItems] = await Promise.all([formOptions(db, actor, values), lineItemsLocals(db, rows, body)]);
    const title = req.t(view === 'new' ? 'contracts.new_title' : 'contracts.edit_title');
    await renderPage(res, `features/contracts/views/${view}`, { title, values, options, lineItems, errors: {}, ...locals }, status);
  }

  /** Shows a refusal (422) with the sentence that says why and a way back. */
  async function showRefusal(req: Request, res: Response, err: RefusedError) {
    await renderPage(res, 'features/contracts/views/refused', { title: req.t('contracts.refused_title'), message: req.t(err.key, err.params), backUrl: err.backUrl }, 422);
  }

  /**
   * A workflow step posted from the contract page, on the version its button was rendered with. A 422
   * shows the page again with the comment kept; a button from a stale page (or one without its
   * version) does nothing and shows the contract as it is now, with a notice and the comment kept (409).
   */
  async function step(req: Request, res: Response, act: (id: number, version: number) => Promise<unknown>, flashKey: string) {
    const id = idParam(req);
    // `action` (submit, reject, sign...) tells the page which of its forms to show the values in.
    const values = () => ({ ...typedValues(req.body, ['comment', 'sign_date']), action: req.path.split('/').pop() ?? '' });
    const stale = (key: string) => renderContractPage(db, req, res, id, { status: 409, form: 'workflow', values: values(), notice: req.t(key) });
    const version = versionInput.safeParse(req.body ?? {});
    if (!version.success) return stale('contracts.stale_notice');
    try {
      await act(id, version.data.version);
    } catch (err) {
      if (err instanceof ValidationError) {
        return renderContractPage(db, req, res, id, { status: 422, errors: err.fields, form: 'workflow', values: values() });
      }
      if (err instanceof ConflictError) return stale('contracts.stale_notice');
      if (err instanceof WrongStatusError) return stale('contracts.step_not_allowed');
      throw err;
    }
    const contract = await repo.findById(actorOf(req), id);
    await redirectWithFlash(req, res, `/contracts/${id}`, req.t(flashKey, { number: contract?.number ?? '' }));
  }

  function parsedOrThrow<T>(parsed: { ok: true; data: T } | { ok: false; errors: FieldErrors }): T {
    if (!parsed.ok) throw new ValidationError(parsed.errors);
    return parsed.data;
  }

  return {
    index: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const filters = contractListQuery.parse(req.query);
      const pageRequest = parsePage(req.query);
      const pageData = await repo.list(actor, filters, pageRequest);
      const owners = actor.dataScope === 'own' ? [] : (await assignableUsers(db, actor)).map((u) => ({ value: String(u.id), label: u.display_name }));
      await renderPage(res, 'features/contracts/views/index', {
        title: req.t('contracts.title'),
        pageData,
        filters,
        statuses: CONTRACT_STATUSES,
        owners,
      });
    },

    newForm: async (req: Request, res: Response) => {
      const values = newContractValues(actorOf(req), req.query as Record<string, unknown>);
      // Opened from a customer's page: a customer out of scope does not exist for this user.
      if (values.customer_id && !(await references.customer(actorOf(req), Number(values.customer_id)))) throw new NotFoundError();
      await showForm(req, res, 'new', values, []);
    },

    create: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const values = valuesOfBody(req.body);
      const lines = await readLineItems(db, req.body);
      if (wantsMoreRows(req.body)) return showForm(req, res, 'new', values, lines.rows, { body: req.body });
      const parsed = parseForm(contractInput, req.body);
      const errors = { ...(parsed.ok ? {} : parsed.errors), ...lines.errors };
      if (!parsed.ok || Object.keys(errors).length > 0) {
        return showForm(req, res, 'new', values, lines.rows, { status: 422, errors, body: req.body });
      }
      try {
        const id = await service.createContract(actor, parsed.data, lines.items, requestInfo(req));
        await redirectWithFlash(req, res, `/contracts/${id}`, req.t('contracts.created', { title: parsed.data.title }));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'new', values, lines.rows, { status: 422, errors: err.fields, body: req.body });
        throw err;
      }
    },

    show: async (req: Request, res: Response) => {
      await renderContractPage(db, req, res, idParam(req));
    },

    editForm: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const contract = await repo.findById(actor, idParam(req));
      if (!contract) throw new NotFoundError();
      if (!EDITABLE_STATUSES.includes(contract.status)) {
        return redirectWithFlash(req, res, `/contracts/${contract.id}`, req.t('contracts.not_editable'), 'warning');
      }
      await showForm(req, res, 'edit', valuesOfRecord(contract), await storedItemValues(db, contract.id), {
        contractId: contract.id,
        contract,
      });
    },

    update: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const id = idParam(req);
      const contract = await repo.findById(actor, id);
      if (!contract) throw new NotFoundError();
      const values = valuesOfBody(req.body);
      const keepProductIds = (await storedItemValues(db, id)).map((r) => Number(r.product_id)).filter((n) => n > 0);
      const lines = await readLineItems(db, req.body, { keepProductIds });
      const again = (extra: FormExtras) => showForm(req, res, 'edit', values, lines.rows, { contractId: id, contract, body: req.body, ...extra });
      if (wantsMoreRows(req.body)) return again({});
      const version = versionInput.safeParse(req.body);
      if (!version.success) throw new NotFoundError();
      const parsed = parseForm(contractInput, req.body);
      const errors = { ...(parsed.ok ? {} : parsed.errors), ...lines.errors };
      if (!parsed.ok || Object.keys(errors).length > 0) return again({ status: 422, errors });
      try {
        const { resubmitted } = await service.updateContract(actor, id, version.data.version, parsed.data, lines.items, requestInfo(req));
        if (resubmitted) flash(req, 'warning', req.t('contracts.back_to_approval'));
        await redirectWithFlash(req, res, `/contracts/${id}`, req.t('contracts.updated', { title: parsed.data.title }));
      } catch (err) {
        if (err instanceof ValidationError) return again({ status: 422, errors: err.fields });
        if (err instanceof ConflictError) {
          const current = await repo.findById(actor, id);
          if (!current) throw new NotFoundError();
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showForm(req, res, 'edit', { ...values, version: String(current.version) }, lines.rows, {
            status: 409,
            contractId: id,
            contract: current,
            body: req.body,
            conflict: true,
          });
        }
        throw err;
      }
    },

    submit: (req: Request, res: Response) =>
      step(req, res, (id, version) => workflow.submit(actorOf(req), id, version, parsedOrThrow(parseForm(commentInput, req.body)).comment, requestInfo(req)), 'contracts.submitted'),

    approve: (req: Request, res: Response) =>
      step(req, res, (id, version) => workflow.approve(actorOf(req), id, version, parsedOrThrow(parseForm(commentInput, req.body)).comment, requestInfo(req)), 'contracts.approved'),

    reject: (req: Request, res: Response) =>
      step(req, res, async (id, version) => {
        // Scope and the approver rule come first: an outsider learns nothing from a missing comment.
        await workflow.mayDecide(actorOf(req), id);
        const { comment } = parsedOrThrow(parseForm(requiredCommentInput, req.body));
        return workflow.reject(actorOf(req), id, version, comment, requestInfo(req));
      }, 'contracts.rejected'),

    sign: (req: Request, res: Response) =>
      step(req, res, async (id, version) => {
        const { sign_date } = parsedOrThrow(parseForm(signInput, req.body));
        const { comment } = parsedOrThrow(parseForm(commentInput, req.body));
        return workflow.sign(actorOf(req), id, version, sign_date, comment, requestInfo(req));
      }, 'contracts.signed'),

    terminate: (req: Request, res: Response) =>
      step(req, res, async (id, version) => {
        const { comment } = parsedOrThrow(parseForm(requiredCommentInput, req.body));
        return workflow.terminate(actorOf(req), id, version, comment, requestInfo(req));
      }, 'contracts.terminated'),

    fromQuote: async (req: Request, res: Response) => {
      try {
        const { id, existing } = await conversion.fromQuote(actorOf(req), idParam(req), requestInfo(req));
        if (existing) return redirectWithFlash(req, res, `/contracts/${id}`, req.t('contracts.already_converted'));
        await redirectWithFlash(req, res, `/contracts/${id}/edit`, req.t('contracts.converted'));
      } catch (err) {
        if (err instanceof RefusedError) return showRefusal(req, res, err);
        throw err;
      }
    },

    fromOpportunity: async (req: Request, res: Response) => {
      try {
        const { id, existing } = await conversion.fromOpportunity(actorOf(req), idParam(req), requestInfo(req));
        if (existing) return redirectWithFlash(req, res, `/contracts/${id}`, req.t('contracts.already_converted'));
        await redirectWithFlash(req, res, `/contracts/${id}/edit`, req.t('contracts.converted'));
      } catch (err) {
        if (err instanceof RefusedError) return showRefusal(req, res, err);
        throw err;
      }
    },
  };
}
