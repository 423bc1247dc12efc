import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { nextDocumentNumber, prepareDocumentNumbers } from '../../db/document-number.js';
import { toDbTime } from '../../db/time.js';
import { changedFields, writeAudit, type FieldChanges } from '../../shared/audit.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import {
  loadLineItems,
  priceLines,
  saveLineItems,
  totalsColumns,
  type LineItem,
  type StoredLineItem,
} from '../line-items/index.js';
import { quoteLookups } from './quotes.lookups.js';
import { quoteRepository, type QuoteDetail, type QuoteRow } from './quotes.repository.js';
import { QUOTE_FIELDS, TOTAL_FIELDS, type QuoteInput, type QuoteStatus } from './quotes.schema.js';
import { canMove, isEditable } from './quotes.status.js';
import { inTransaction } from '../../db/transaction.js';
import { requireLiveCustomer } from '../customers/live-customer.js';

/** The quote is no longer a draft (or moved on meanwhile): the action does not apply any more. */
export class QuoteStateError extends ConflictError {
  constructor(readonly reason: 'not_editable' | 'transition') {
    super('Quote status does not allow this');
  }
}

/** "Widget 3 × 33.33 −10%; …": the items as the audit trail records them. */
function describeItems(items: ReadonlyArray<Pick<LineItem, 'product_name' | 'quantity' | 'unit_price' | 'discount_percent'>>): string {
  return items
    .map((i) => `${i.product_name} ${i.quantity} × ${i.unit_price}${Number(i.discount_percent) > 0 ? ` −${i.discount_percent}%` : ''}`)
    .join('; ');
}

export function quoteService(db: Knex) {
  const repo = quoteRepository(db);
  const lookups = quoteLookups(db);

  /** The customer (404 when out of scope) and an opportunity of that customer, in scope. */
  async function checkReferences(actor: Actor, input: QuoteInput): Promise<void> {
    if (!(await lookups.customer(actor, input.customer_id))) throw new NotFoundError();
    if (input.opportunity_id !== null) {
      const choices = await lookups.opportunitiesOf(actor, input.customer_id);
      const errors: FieldErrors = {};
      if (!choices.some((o) => o.id === input.opportunity_id)) errors.opportunity_id = { key: 'validation.choice' };
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    }
  }

  async function findOrFail(actor: Actor, id: number, trx: Knex = db): Promise<QuoteDetail> {
    const quote = await repo.findById(actor, id, trx);
    if (!quote) throw new NotFoundError();
    return quote;
  }

  return {
    findOrFail,
    items: (quoteId: number): Promise<StoredLineItem[]> => loadLineItems(db, 'quote_items', 'quote_id', quoteId),

    /** Creates a draft with the next QT number, its items and its exact totals, in one transaction. */
    async create(actor: Actor, input: QuoteInput, items: LineItem[], info: RequestInfo): Promise<{ id: number; number: string }> {
      await checkReferences(actor, input);
      const priced = priceLines(items);
      const totals = totalsColumns(priced);
      // The year is the user's: a quote made on 1 January in Shanghai is that year's.
      const year = await prepareDocumentNumbers(db, 'QT', actor.timeZone);
      return inTransaction(db, async (trx) => {
        // Its customer first, as a contract's save takes it: one deleted meanwhile is a bad choice (422).
        await requireLiveCustomer(trx, input.customer_id);
        const now = toDbTime();
        const number = await nextDocumentNumber(trx, 'QT', year);
        const values = { ...input, ...totals };
        const id = await repo.insert(trx, {
          ...values,
          number,
          status: 'draft',
          owner_id: actor.id,
          created_by: actor.id,
          version: 1,
          deleted_at: null,
          created_at: now,
          updated_at: now,
        });
        await saveLineItems(trx, 'quote_items', 'quote_id', id, priced);
        const changes: FieldChanges = {
          number: { before: null, after: number },
          ...changedFields(null, values, [...QUOTE_FIELDS, ...TOTAL_FIELDS]),
          items: { before: null, after: describeItems(priced.lines) },
        };
        await writeAudit(trx, { entity: 'quote', entityId: id, action: 'create', actorId: actor.id, changes, ip: info.ip });
        return { id, number };
      });
    },

    /** Saves an edit of a draft made on `version`: 409 when someone saved first or it was sent meanwhile. */
    async update(actor: Actor, id: number, version: number, input: QuoteInput, items: LineItem[], info: RequestInfo): Promise<void> {
      const current = await findOrFail(actor, id);
      if (current.version !== version) throw new ConflictError();
      if (!isEditable(current.status)) throw new QuoteStateError('not_editable');
      await checkReferences(actor, input);
      const priced = priceLines(items);
      const values = { ...input, ...totalsColumns(priced) };
      const before = describeItems(await loadLineItems(db, 'quote_items', 'quote_id', id));
      const after = describeItems(priced.lines);
      const changes = changedFields(current, values, [...QUOTE_FIELDS, ...TOTAL_FIELDS]);
      if (before !== after) changes.items = { before, after };
      if (Object.keys(changes).length === 0) return;
      await inTransaction(db, async (trx) => {
        const updated = await repo.updateIfVersion(trx, actor, id, version, { ...values, updated_at: toDbTime() }, 'draft');
        if (updated === 0) throw new ConflictError();
        await saveLineItems(trx, 'quote_items', 'quote_id', id, priced);
        await writeAudit(trx, { entity: 'quote', entityId: id, action: 'update', actorId: actor.id, changes, ip: info.ip });
      });
    },

    /** draft → sent → accepted | rejected; anything else is refused with a 409 and nothing written. */
    async changeStatus(actor: Actor, id: number, version: number, to: QuoteStatus, info: RequestInfo): Promise<QuoteRow> {
      const current = await findOrFail(actor, id);
      if (current.version !== version) throw new ConflictError();
      if (!canMove(current.status, to)) throw new QuoteStateError('transition');
      await inTransaction(db, async (trx) => {
        const updated = await repo.updateIfVersion(trx, actor, id, version, { status: to, updated_at: toDbTime() }, current.status);
        if (updated === 0) throw new ConflictError();
        await writeAudit(trx, {
          entity: 'quote',
          entityId: id,
          action: 'update',
          actorId: actor.id,
          changes: { status: { before: current.status, after: to } },
          ip: info.ip,
        });
      });
      return current;
    },
  };
}
