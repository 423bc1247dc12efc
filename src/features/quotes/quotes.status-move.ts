import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { actorOf } from '../../authz/guards.js';
import { write } from '../../kernel/data/write.js';
import type { recordPages } from '../../kernel/web/record-pages.js';
import { url } from '../../kernel/web/routes.js';
import { ConflictError } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { requestInfo } from '../../shared/request.js';
import { quotes } from './quotes.entity.js';
import { canMove, QUOTE_STATUSES } from './quotes.status.js';

const statusInput = z.object({ status: z.enum(QUOTE_STATUSES), version: z.coerce.number().int().min(1) });

/** POST /quotes/:id/status: one step along draft → sent → accepted | rejected; a refused step is the quote's page with why. */
export function moveQuoteStatus(db: Knex, pages: ReturnType<typeof recordPages>) {
  return async (req: Request, res: Response): Promise<void> => {
    const quote = await pages.found(req);
    const parsed = statusInput.safeParse(req.body);
    if (!parsed.success) return pages.renderShow(req, res, quote, 422, req.t('quotes.status_invalid'));
    const { status: to, version } = parsed.data;
    const label = (status: unknown) => req.t(`quotes.status.${String(status)}`);
    if (version === quote.version && !canMove(String(quote.status), to)) {
      return pages.renderShow(req, res, quote, 409, req.t('quotes.transition_refused', { from: label(quote.status), to: label(to) }));
    }
    try {
      await write(db, quotes, { kind: 'patch', id: quote.id, version, values: { status: to } }, actorOf(req), requestInfo(req));
    } catch (err) {
      // Someone moved or saved it first: the page as it now is.
      if (err instanceof ConflictError) return pages.renderShow(req, res, await pages.found(req), 409, req.t('quotes.conflict_title'));
      throw err;
    }
    await redirectWithFlash(req, res, url('quotes.show', { id: quote.id }), req.t('quotes.status_changed', { number: String(quote.number), status: label(to) }));
  };
}
