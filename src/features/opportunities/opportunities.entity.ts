import { defineEntity } from '../../kernel/entity/define-entity.js';
import { ref, text, user } from '../../kernel/entity/fields.js';

// The opportunity as other entities see it: what quotes refer to and pick (an opportunity of the
// quote's customer), in its owner's scope. Its own pages are still hand-written (opportunities.controller.ts).
export const opportunities = defineEntity({
  name: 'opportunity',
  plural: 'opportunities',
  table: 'opportunities',
  fields: {
    customer_id: ref('customer', { required: true, editable: false }),
    title: text(200, { required: true }),
    owner_id: user({ required: true }),
  },
  titleColumn: 'title',
  scope: { kind: 'owned', column: 'owner_id' },
  softDelete: true,
  permissions: { view: 'opportunities.view', create: 'opportunities.create', edit: 'opportunities.edit', delete: 'opportunities.delete', restore: 'opportunities.restore' },
  search: () => ({ column: 'title', match: 'prefix' }),
});
