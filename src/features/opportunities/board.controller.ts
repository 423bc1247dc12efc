import type { Request, Response } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, ValidationError } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { boardQuery, stageMoveInput } from './opportunities.schema.js';
import { opportunityService } from './opportunities.service.js';
import { loadBoard } from './board.js';
import { amountText } from './opportunity-totals.js';
import { stageName } from './pipeline-stages.js';
import { ruleMessages } from './stage-messages.js';
import { StageRuleError } from './stage-rules.js';

const VIEW = 'features/opportunities/views/board';

/** The board's URL, keeping a manager's rep filter. */
function boardUrl(ownerId: number | undefined): string {
  return ownerId ? `/opportunities/board?owner_id=${ownerId}` : '/opportunities/board';
}

/** What a card's form sent, shown again when the move is refused. */
type MoveAttempt = { id: number; stageId: string; lostReason: string };

export function boardController({ db }: AppContext) {
  const service = opportunityService(db);

  async function showBoard(
    req: Request,
    res: Response,
    ownerId: number | undefined,
    extra: { status?: number; problems?: string[]; failedId?: number; attempt?: MoveAttempt } = {},
  ): Promise<void> {
    const { status = 200, ...locals } = extra;
    const board = await loadBoard(db, actorOf(req), req.locale, ownerId);
    await renderPage(res, VIEW, { title: req.t('opportunities.board_title'), ...board, money: amountText, problems: [], failedId: null, attempt: null, ...locals }, status);
  }

  return {
    board: async (req: Request, res: Response) => {
      await showBoard(req, res, boardQuery.parse(req.query).owner_id);
    },

    /** The card form (and the drag and drop that submits it): 303 back to the board, or the board with why not. */
    move: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const id = idParam(req);
      const ownerId = boardQuery.parse({ owner_id: (req.body as Record<string, unknown>).board_owner_id }).owner_id;
      const parsed = stageMoveInput.safeParse(req.body);
      // A refused move shows the card with what the user picked, as every 422 keeps typed values.
      const body = req.body as Record<string, unknown>;
      const attempt: MoveAttempt = { id, stageId: String(body.stage_id ?? ''), lostReason: String(body.lost_reason ?? '') };
      // Scope before anything: out of reach is a 404 whatever was posted.
      await service.findOrFail(actor, id);
      if (!parsed.success) {
        return showBoard(req, res, ownerId, { status: 422, problems: [req.t('opportunities.move_invalid')], failedId: id, attempt });
      }
      try {
        const { opportunity, stage } = await service.moveToStage(actor, id, parsed.data, requestInfo(req));
        const message = req.t('opportunities.moved', { title: opportunity.title, stage: stageName(stage, req.locale) });
        await redirectWithFlash(req, res, boardUrl(ownerId), message);
      } catch (err) {
        if (err instanceof StageRuleError) {
          return showBoard(req, res, ownerId, { status: 422, problems: ruleMessages(req.t, req.locale, err), failedId: id, attempt });
        }
        if (err instanceof ValidationError) {
          return showBoard(req, res, ownerId, { status: 422, problems: [req.t('opportunities.move_invalid')], failedId: id, attempt });
        }
        if (err instanceof ConflictError) {
          return showBoard(req, res, ownerId, { status: 409, problems: [req.t('opportunities.move_conflict')], failedId: id, attempt });
        }
        throw err;
      }
    },
  };
}
