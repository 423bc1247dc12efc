import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { applyOwnerScope, assignableUsers, ownerScope } from '../../authz/data-scope.js';
import { parseId } from '../../shared/ids.js';
import { CURRENCIES } from '../../shared/money.js';
import { typedValues } from '../../shared/request.js';
import { loadLineItems, valuesOfStoredItems, type LineItemValues } from '../line-items/index.js';
import { contractReferences } from './contracts.references.js';
import type { ContractRow } from './contracts.repository.js';

export type FormValues = Record<string, string>;
type Option = { value: string; label: string };

const FORM_FIELDS = [
  'customer_id', 'opportunity_id', 'quote_id', 'title', 'currency', 'sign_date', 'start_date', 'end_date', 'remark', 'owner_id',
] as const;


/** How many customers the picker lists; past that the form takes the customer from the link it was opened with. */
const CUSTOMER_PICKER_LIMIT = 200;

export function valuesOfRecord(record: ContractRow): FormValues {
  const values: FormValues = { version: String(record.version) };
  for (const field of FORM_FIELDS) values[field] = String(record[field] ?? '');
  return values;
}

export function valuesOfBody(body: unknown): FormValues {
  return typedValues(body, [...FORM_FIELDS, 'version']);
}

export function newContractValues(actor: Actor, query: Record<string, unknown>): FormValues {
  const customerId = parseId(query.customer_id) === null ? '' : String(query.customer_id);
  return { ...valuesOfBody({}), customer_id: customerId, currency: 'CNY', owner_id: String(actor.id) };
}

export async function storedItemValues(db: Knex, contractId: number): Promise<LineItemValues[]> {
  return valuesOfStoredItems(await loadLineItems(db, 'contract_items', 'contract_id', contractId));
}

/**
 * The pickers of a contract form: customers in scope, and the chosen customer's opportunities and
 * quotes that the actor may open. A chosen customer out of scope lists nothing of its own.
 */
export async function formOptions(db: Knex, actor: Actor, values: FormValues) {
  const scope = await ownerScope(db, actor);
  const references = contractReferences(db);
  const customerId = parseId(values.customer_id);
  const customers: Array<{ id: number; name: string }> = await applyOwnerScope(db('customers'), scope, 'customers.owner_id')
    .whereNull('deleted_at')
    .orderBy('id', 'desc')
    .limit(CUSTOMER_PICKER_LIMIT)
    .select('id', 'name');
  const chosen = customerId === null ? undefined : (customers.find((c) => c.id === customerId) ?? (await references.customer(actor, customerId)));
  if (chosen && !customers.includes(chosen)) customers.unshift(chosen);
  const [opportunities, quotes] = chosen
    ? await Promise.all([references.opportunitiesOf(actor, chosen.id), references.quotesOf(actor, chosen.id)])
    : [[], []];
  const owners: Option[] = actor.permissions.has('customers.assign')
    ? (await assignableUsers(db, actor)).map((u) => ({ value: String(u.id), label: u.display_name }))
    : [];
  return {
    customers: customers.map((c) => ({ value: String(c.id), label: c.name })),
    opportunities: opportunities.map((o) => ({ value: String(o.id), label: o.title })),
    quotes: quotes.map((q) => ({ value: String(q.id), label: `${q.number} ${q.title}` })),
    owners,
    currencies: [...CURRENCIES] as string[],
  };
}
