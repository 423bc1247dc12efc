import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { resource } from '../../kernel/web/resource.js';
import { contacts } from './contacts.entity.js';

// A new contact is made from its customer's page, and the user goes back there after saving it.
export function contactRoutes({ db }: AppContext): Router {
  const router = Router();
  resource(router, db, contacts, {
    afterCreate: (_id, values) => `/customers/${values.customer_id}`,
    afterDelete: (row) => `/customers/${row.customer_id}`,
  });
  return router;
}
