import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { assignableUsers } from '../../authz/data-scope.js';
import type { Locale } from '../../i18n/i18n.js';
import { fromCents, toCents } from '../../shared/money.js';
import { parseId } from '../../shared/ids.js';
import { typedValues } from '../../shared/request.js';
import { loadDictionaries, type Option } from '../dictionaries/dictionary.repository.js';
import type { OpportunityRow } from './opportunities.repository.js';
import { CURRENCIES } from '../../shared/money.js';
import { loadStages, stageIndex, stageName } from './pipeline-stages.js';

export type FormValues = Record<string, string>;

const FORM_FIELDS = [
  'customer_id', 'title', 'amount', 'currency', 'stage_id', 'probability', 'expected_close_date', 'owner_id', 'lost_reason', 'remark',
  'version',
] as const;

/** The chosen products travel as "1,4,7" among the form's strings. */
function productList(value: unknown): string {
  const list = Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value];
  // In id order, as valuesOfRecord gives them, so a 409 notice compares like with like.
  const ids = list.filter((v): v is string => typeof v === 'string');
  return ids.sort((a, b) => Number(a) - Number(b) || a.localeCompare(b)).join(',');
}

export function valuesOfRecord(record: OpportunityRow, productIds: number[]): FormValues {
  return {
    customer_id: String(record.customer_id),
    title: record.title,
    amount: fromCents(toCents(record.amount)),
    currency: record.currency,
    stage_id: String(record.stage_id),
    probability: String(record.probability),
    expected_close_date: record.expected_close_date ?? '',
    owner_id: String(record.owner_id),
    lost_reason: record.lost_reason ?? '',
    remark: record.remark ?? '',
    version: String(record.version),
    product_ids: productIds.join(','),
  };
}

export function valuesOfBody(body: unknown): FormValues {
  return { ...typedValues(body, FORM_FIELDS), product_ids: productList((body as Record<string, unknown> | undefined)?.product_ids) };
}

export function newValues(actor: Actor, customerId: number | null, firstStageId: number | undefined): FormValues {
  return {
    ...valuesOfBody({}),
    customer_id: customerId ? String(customerId) : '',
    currency: 'CNY',
    stage_id: firstStageId ? String(firstStageId) : '',
    owner_id: String(actor.id),
  };
}

/** Everything the opportunity form offers; a record's deactivated stage, reason or product stays offered. */
export async function formOptions(db: Knex, actor: Actor, locale: Locale, current?: FormValues) {
  const stages = stageIndex(await loadStages(db));
  const reasons = await loadDictionaries(db, ['lost_reason'], locale);
  const lostReasons: Option[] = reasons.active('lost_reason');
  if (current?.lost_reason && !lostReasons.some((o) => o.value === current.lost_reason)) {
    lostReasons.push({ value: current.lost_reason, label: reasons.label('lost_reason', current.lost_reason) });
  }
  // The typed values may hold anything: only real ids reach the query.
  const chosen = (current?.product_ids ?? '').split(',').map(parseId).filter((id): id is number => id !== null);
  const products: Array<{ id: number; name: string; code: string }> = await db('products')
    .where((w) => {
      w.where('is_active', true);
      if (chosen.length > 0) w.orWhereIn('id', chosen);
    })
    .orderBy('name')
    .limit(500)
    .select('id', 'name', 'code');
  const owners = actor.permissions.has('customers.assign')
    ? (await assignableUsers(db, actor)).map((u) => ({ value: String(u.id), label: u.display_name }))
    : [];
  return {
    currencies: CURRENCIES,
    stages: stages
      .selectable(parseId(current?.stage_id))
      .map((s) => ({ value: String(s.id), label: `${stageName(s, locale)} (${s.probability}%)`, kind: s.kind })),
    lostReasons,
    products: products.map((p) => ({ value: String(p.id), label: `${p.name} (${p.code})` })),
    owners,
  };
}
