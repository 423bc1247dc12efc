import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { ownerScope } from '../../authz/data-scope.js';
import { actorOf } from '../../authz/guards.js';
import type { FieldErrors } from '../../shared/errors.js';
import { renderPage } from '../../shared/render.js';
import { contactsOfCustomer } from '../contacts/index.js';
import { auditEntriesOf, describeHistory, wantHistory } from '../../kernel/data/history.js';
import type { Row } from '../../kernel/entity/define-entity.js';
import { noLookups } from '../../kernel/entity/lookups.js';
import { viewContext } from '../../kernel/entity/view-context.js';
import { customers } from '../customers/customers.entity.js';
import { loadDictionaries } from '../dictionaries/dictionary.repository.js';
import { followupFormOptions, newFollowupValues, type FormValues } from '../followups/followups.form.js';
import { customerTimeline, TIMELINE_PER_PAGE } from './timeline.repository.js';

const timelinePageQuery = z.object({ tl_page: z.coerce.number().int().min(1).max(100_000).catch(1) });

/** The short follow-up form as typed, when it comes back with errors (422). */
export type FollowupFormState = { values: FormValues; errors: FieldErrors };

/**
 * The customer page: details, contacts, the short "log a follow-up" form, the timeline and the audit
 * history. Built here so the customer's own route and a follow-up form sent back with errors show
 * exactly the same page.
 */
export async function renderCustomerPage(
  db: Knex,
  req: Request,
  res: Response,
  customer: Row,
  followupForm?: FollowupFormState,
  status = 200,
): Promise<void> {
  const actor = actorOf(req);
  const { tl_page } = timelinePageQuery.parse(req.query);
  const timelineRequest = { page: tl_page, perPage: TIMELINE_PER_PAGE, offset: (tl_page - 1) * TIMELINE_PER_PAGE };
  const [dictionaries, audit, contacts, followupOptions, timeline, people] = await Promise.all([
    loadDictionaries(db, ['industry', 'customer_source', 'customer_level', 'customer_status', 'followup_type', 'payment_method'], req.locale),
    auditEntriesOf(db, customers, customer.id),
    contactsOfCustomer(db, customer.id),
    followupFormOptions(db, actor, customer.id, req.locale),
    customerTimeline(db, customer.id, timelineRequest, req.locale, await ownerScope(db, actor)),
    db('users').whereIn('id', [Number(customer.owner_id), Number(customer.created_by)]).select('id', 'display_name'),
  ]);
  const labels = dictionaries.label;
  const history = describeHistory(customers, audit, await viewContext(db, req, res, wantHistory(noLookups(), customers, audit)));
  const nameOf = (id: unknown) => people.find((u: { id: number }) => u.id === Number(id))?.display_name;
  await renderPage(
    res,
    'features/customers/views/show',
    {
      title: customer.name,
      customer: { ...customer, owner_name: nameOf(customer.owner_id), creator_name: nameOf(customer.created_by) },
      labels,
      history,
      contacts,
      timeline,
      followupOptions,
      followupValues: followupForm?.values ?? newFollowupValues(actor),
      followupErrors: followupForm?.errors ?? {},
    },
    status,
  );
}
