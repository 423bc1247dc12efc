import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, HttpError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { conflictOf, versionInput } from '../../shared/version.js';
import { STAGE_KINDS, stageName, type Stage } from '../opportunities/pipeline-stages.js';
import { newValues, valuesOfBody, valuesOfRecord, type FormValues } from './stages.form.js';
import { EDIT_FIELDS, moveInput, stageEditInput, stageNewInput } from './stages.schema.js';
import { PipelineIncompleteError, stageAdminService, StageInUseError } from './stages.service.js';

const VIEWS = 'features/admin-stages/views';
const LIST = '/admin/stages';

export function adminStageController({ db }: AppContext) {
  const service = stageAdminService(db);

  /** The message saying which closing stage would be missing. */
  const incompleteMessage = (req: Request, err: PipelineIncompleteError) =>
    err.missing.map((kind) => req.t(`stages.needs_${kind}`)).join(' ');

  async function showIndex(req: Request, res: Response, status = 200, problem?: string): Promise<void> {
    const stages = await service.list();
    await renderPage(res, `${VIEWS}/index`, { title: req.t('stages.title'), stages, problem }, status);
  }

  async function showForm(
    req: Request,
    res: Response,
    view: 'new' | 'edit',
    values: FormValues,
    extra: { status?: number; errors?: FieldErrors; stage?: Stage; problem?: string; conflict?: ReturnType<typeof conflictOf> } = {},
  ): Promise<void> {
    const { status = 200, ...locals } = extra;
    const title = req.t(view === 'new' ? 'stages.new_title' : 'stages.edit_title');
    await renderPage(res, `${VIEWS}/${view}`, { title, values, kinds: STAGE_KINDS, errors: {}, ...locals }, status);
  }

  async function showDelete(req: Request, res: Response, stage: Stage, status = 200, problem?: string): Promise<void> {
    const inUse = await service.isInUse(stage);
    await renderPage(
      res,
      `${VIEWS}/delete`,
      { title: req.t('stages.delete_title'), stage, inUse, refused: status !== 200, problem, name: stageName(stage, req.locale) },
      status,
    );
  }

  return {
    index: async (req: Request, res: Response) => showIndex(req, res),

    newForm: async (req: Request, res: Response) => showForm(req, res, 'new', newValues()),

    create: async (req: Request, res: Response) => {
      const values = valuesOfBody(req.body);
      const parsed = parseForm(stageNewInput, req.body);
      if (!parsed.ok) return showForm(req, res, 'new', values, { status: 422, errors: parsed.errors });
      try {
        const stage = await service.createStage(actorOf(req), parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, LIST, req.t('stages.created', { name: stageName(stage, req.locale) }));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'new', values, { status: 422, errors: err.fields });
        if (err instanceof PipelineIncompleteError) {
          return showForm(req, res, 'new', values, { status: 422, problem: incompleteMessage(req, err) });
        }
        throw err;
      }
    },

    editForm: async (req: Request, res: Response) => {
      const stage = await service.findOrFail(idParam(req));
      await showForm(req, res, 'edit', valuesOfRecord(stage), { stage });
    },

    update: async (req: Request, res: Response) => {
      const stage = await service.findOrFail(idParam(req));
      const values = { ...valuesOfBody(req.body), code: stage.code };
      const version = versionInput.safeParse(req.body);
      const parsed = parseForm(stageEditInput, req.body);
      if (!version.success) throw new NotFoundError();
      if (!parsed.ok) return showForm(req, res, 'edit', values, { status: 422, errors: parsed.errors, stage });
      try {
        const saved = await service.updateStage(actorOf(req), stage.id, version.data.version, parsed.data, requestInfo(req));
        await redirectWithFlash(req, res, LIST, req.t('stages.updated', { name: stageName(saved, req.locale) }));
      } catch (err) {
        if (err instanceof ConflictError) {
          const current = await service.findOrFail(stage.id);
          const saved = valuesOfRecord(current);
          // The hidden version becomes the current one, so saving again is a deliberate overwrite.
          return showForm(req, res, 'edit', { ...values, version: saved.version }, {
            status: 409,
            stage: current,
            conflict: conflictOf(saved, values, EDIT_FIELDS),
          });
        }
        if (err instanceof PipelineIncompleteError) {
          const errors: FieldErrors = { kind: { key: 'stages.keeps_closing' }, is_active: { key: 'stages.keeps_closing' } };
          return showForm(req, res, 'edit', values, { status: 422, errors, stage, problem: incompleteMessage(req, err) });
        }
        throw err;
      }
    },

    move: async (req: Request, res: Response) => {
      const id = idParam(req);
      const parsed = moveInput.safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, 'Unknown direction');
      const stage = await service.move(actorOf(req), id, parsed.data.direction, requestInfo(req));
      await redirectWithFlash(req, res, LIST, req.t('stages.moved', { name: stageName(stage, req.locale) }));
    },

    activate: async (req: Request, res: Response) => {
      const stage = await service.setActive(actorOf(req), idParam(req), true, requestInfo(req));
      await redirectWithFlash(req, res, LIST, req.t('stages.activated', { name: stageName(stage, req.locale) }));
    },

    deactivate: async (req: Request, res: Response) => {
      try {
        const stage = await service.setActive(actorOf(req), idParam(req), false, requestInfo(req));
        await redirectWithFlash(req, res, LIST, req.t('stages.deactivated', { name: stageName(stage, req.locale) }));
      } catch (err) {
        if (err instanceof PipelineIncompleteError) return showIndex(req, res, 422, incompleteMessage(req, err));
        throw err;
      }
    },

    deleteConfirm: async (req: Request, res: Response) => showDelete(req, res, await service.findOrFail(idParam(req))),

    remove: async (req: Request, res: Response) => {
      const id = idParam(req);
      try {
        const stage = await service.deleteStage(actorOf(req), id, requestInfo(req));
        await redirectWithFlash(req, res, LIST, req.t('stages.deleted', { name: stageName(stage, req.locale) }));
      } catch (err) {
        if (err instanceof StageInUseError) return showDelete(req, res, await service.findOrFail(id), err.status);
        if (err instanceof PipelineIncompleteError) {
          return showDelete(req, res, await service.findOrFail(id), err.status, incompleteMessage(req, err));
        }
        throw err;
      }
    },
  };
}
