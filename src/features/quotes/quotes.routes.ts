import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { resource } from '../../kernel/web/resource.js';
import { route } from '../../kernel/web/routes.js';
import { lineItemsPart, loadLineItems } from '../line-items/index.js';
import { QUOTE_ITEMS, quotes } from './quotes.entity.js';
import { moveQuoteStatus } from './quotes.status-move.js';
import { allowedTransitions, isEditable } from './quotes.status.js';

// POST /quotes/:id/contract (an accepted quote becomes a contract) belongs to features/contracts.
export function quoteRoutes({ db }: AppContext): Router {
  const router = Router();
  const pages = resource(router, db, quotes, {
    pickParent: { param: 'customer_q' },
    formPart: lineItemsPart(QUOTE_ITEMS),
    readOnly: (row) => (isEditable(String(row.status)) ? undefined : 'quotes.not_editable'),
    showView: 'features/quotes/views/show',
    showLocals: async (_req, row) => ({
      items: await loadLineItems(db, QUOTE_ITEMS.table, QUOTE_ITEMS.parentColumn, row.id),
      transitions: allowedTransitions(String(row.status)),
    }),
  });
  route(router, { name: 'quotes.status', method: 'post', path: '/quotes/:id/status', can: 'quotes.edit', handler: moveQuoteStatus(db, pages) });
  return router;
}
