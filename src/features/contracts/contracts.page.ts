import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { actorOf } from '../../authz/guards.js';
import { NotFoundError, type FieldErrors } from '../../shared/errors.js';
import { renderPage } from '../../shared/render.js';
import { loadDictionaries } from '../dictionaries/dictionary.repository.js';
import { loadLineItems, priceLines, totalsColumns } from '../line-items/index.js';
import { paymentRepository } from '../payments/payments.repository.js';
import { summariseReceivables } from '../payments/receivables.js';
import { localToday } from '../../i18n/calendar.js';
import { contractRepository } from './contracts.repository.js';
import { decidesOn } from './contracts.approver.js';

/** What a form on the contract page posted, to show again after a 422. */
export type ContractPageForms = {
  status?: number;
  errors?: FieldErrors;
  /** Which form the errors belong to: 'workflow', 'plan' or 'record'. */
  form?: 'workflow' | 'plan' | 'record';
  values?: Record<string, string>;
  /** Why nothing was done (a 409: the page the user acted on was stale). */
  notice?: string;
};

/**
 * The contract page: details, items, approval trail, and (for users who see receivables) the
 * payment plan, the payments and the received / outstanding / overdue amounts. The payments
 * feature shows it again with its own form's errors.
 */
export async function renderContractPage(db: Knex, req: Request, res: Response, id: number, forms: ContractPageForms = {}): Promise<void> {
  const actor = actorOf(req);
  const repo = contractRepository(db);
  const contract = await repo.findById(actor, id);
  if (!contract) throw new NotFoundError();
  const items = await loadLineItems(db, 'contract_items', 'contract_id', id);
  const totals = totalsColumns(priceLines(items));
  const events = await repo.events(id);
  const today = localToday(actor.timeZone);
  let receivables = null;
  if (actor.permissions.has('payments.view')) {
    const payments = paymentRepository(db);
    const plans = await payments.plansOf(id);
    const dictionaries = await loadDictionaries(db, ['payment_method'], req.locale);
    receivables = {
      plans,
      records: await payments.recordsOf(id),
      summary: summariseReceivables(contract.total, plans, today),
      methods: dictionaries.active('payment_method'),
      methodLabel: (code: string) => dictionaries.label('payment_method', code),
      acceptsPayments: contract.status === 'approved' || contract.status === 'signed',
      acceptsPlans: contract.status !== 'terminated',
    };
  }
  await renderPage(
    res,
    'features/contracts/views/show',
    {
      title: `${contract.number} ${contract.title}`,
      contract,
      items,
      totals: { ...totals, total: contract.total },
      events,
      receivables,
      today,
      mayDecide: actor.permissions.has('contracts.approve') && contract.status === 'pending_approval' && (await decidesOn(db, actor, contract)),
      form: forms.form ?? null,
      values: forms.values ?? {},
      errors: forms.errors ?? {},
      notice: forms.notice ?? null,
    },
    forms.status ?? 200,
  );
}
