import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { typedValues } from '../../shared/request.js';
import { lineItemsLocals, type LineItemValues } from '../line-items/index.js';
import { quoteLookups, type QuoteCustomer } from './quotes.lookups.js';
import type { QuoteRow } from './quotes.repository.js';
import { CURRENCIES } from '../../shared/money.js';
import { QUOTE_FIELDS } from './quotes.schema.js';

export type FormValues = Record<string, string>;

export function valuesOfRecord(quote: QuoteRow): FormValues {
  const values: FormValues = { version: String(quote.version) };
  for (const field of QUOTE_FIELDS) values[field] = String(quote[field] ?? '');
  return values;
}

/** What the user typed, kept as typed. Totals are deliberately not among the fields: they are computed. */
export function valuesOfBody(body: unknown): FormValues {
  return typedValues(body, [...QUOTE_FIELDS, 'version']);
}

export function newQuoteValues(customerId: number, opportunityId?: number): FormValues {
  return { ...valuesOfBody({}), customer_id: String(customerId), opportunity_id: opportunityId ? String(opportunityId) : '', currency: 'CNY' };
}

/** Everything the quote form shows besides the typed values: its customer, pickers and the items partial. */
export async function formLocals(db: Knex, actor: Actor, customer: QuoteCustomer, rows: LineItemValues[], body?: unknown) {
  const [opportunities, lineItems] = await Promise.all([
    quoteLookups(db).opportunitiesOf(actor, customer.id),
    lineItemsLocals(db, rows, body),
  ]);
  return { customer, opportunities, currencies: CURRENCIES, lineItems };
}
