import { defineEntity } from '../../kernel/entity/define-entity.js';
import { text, user } from '../../kernel/entity/fields.js';

// The customer as other entities see it: the parent of contacts and visits, whose scope they
// borrow. Its own pages are still hand-written (customers.controller.ts).
export const customers = defineEntity({
  name: 'customer',
  plural: 'customers',
  table: 'customers',
  fields: {
    name: text(200, { required: true }),
    owner_id: user({ required: true }),
  },
  titleColumn: 'name',
  scope: { kind: 'owned', column: 'owner_id' },
  softDelete: true,
  permissions: { view: 'customers.view', create: 'customers.create', edit: 'customers.edit', delete: 'customers.delete', restore: 'customers.restore' },
  search: () => ({ column: 'name', match: 'prefix' }),
});
