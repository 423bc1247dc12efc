import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf } from '../../authz/guards.js';
import { repositoryOf } from '../../kernel/data/repository.js';
import { resource } from '../../kernel/web/resource.js';
import { renderCustomerPage } from '../timeline/customer-page.js';
import { customers } from './customers.entity.js';
import { deleteRefusal, liveContracts } from './customers.hooks.js';

export function customerRoutes({ db }: AppContext): Router {
  const router = Router();
  resource(router, db, customers, {
    // Contacts, the follow-up form and the timeline join the details: see timeline/customer-page.ts.
    show: (req, res, row) => renderCustomerPage(db, req, res, row),
    deleteRefusal: async (_db, row) => {
      const contracts = await liveContracts(db, row.id);
      return contracts > 0 ? deleteRefusal(String(row.name), contracts) : undefined;
    },
    // Customers sharing the phone or e-mail are shown once before a new one is saved.
    noticeBeforeCreate: async (_db, req, values) => {
      if (req.body?.confirm_duplicate === '1' || (!values.phone && !values.email)) return undefined;
      const duplicates = await repositoryOf(customers).find({ db, actor: actorOf(req) }, (q) =>
        q.where((w) => {
          if (values.phone) w.orWhere('customers.phone', values.phone);
          if (values.email) w.orWhere('customers.email', values.email);
        }),
      );
      return duplicates.length ? { view: 'features/customers/views/_duplicates', locals: { duplicates } } : undefined;
    },
  });
  return router;
}
