import { defineEntity } from '../../kernel/entity/define-entity.js';
import { boolean, dateTime, enumOf, longText, ref, text, user, users } from '../../kernel/entity/fields.js';
import { visitHooks, visitRules } from './visits.rules.js';

export const VISIT_STATUSES = ['planned', 'done', 'cancelled'] as const;

// 拜访计划: seen and changed with its customer; owner_id is the rep the visit is planned for.
export const visits = defineEntity({
  name: 'visit_plan',
  plural: 'visits',
  table: 'visit_plans',
  fields: {
    customer_id: ref('customer', { required: true, editable: false }),
    purpose: text(200, { required: true }),
    planned_at: dateTime({ required: true }),
    owner_id: user({ required: true }),
    status: enumOf(VISIT_STATUSES, 'visits.status'),
    address: text(300, { width: 12 }),
    participants: users({ table: 'visit_plan_participants', ownKey: 'visit_plan_id', userKey: 'user_id' }),
    materials: longText(2000),
    summary: longText(5000),
    is_overdue: boolean({ editable: false }),
  },
  titleColumn: 'purpose',
  scope: { kind: 'through', field: 'customer_id' },
  softDelete: true,
  permissions: { view: 'visits.view', create: 'visits.create', edit: 'visits.edit', delete: 'visits.delete', restore: 'visits.restore' },
  createdByColumn: 'created_by',
  defaults: (actor) => ({ owner_id: String(actor.id), status: 'planned' }),
  rules: visitRules,
  hooks: visitHooks,
  search: () => ({ column: 'purpose', match: 'prefix' }),
  list: {
    columns: ['purpose', 'customer_id', 'planned_at', 'status', 'owner_id', 'is_overdue'],
    sorts: { planned_at: 'visit_plans.planned_at', purpose: 'visit_plans.purpose', updated_at: 'visit_plans.updated_at' },
    defaultSort: 'planned_at',
    defaultDir: 'desc',
    filters: {
      status: { kind: 'enum', column: 'visit_plans.status', values: VISIT_STATUSES, labelPrefix: 'visits.status' },
      planned: { kind: 'dayRange', column: 'visit_plans.planned_at', dateTime: true },
      mine: { kind: 'mine', column: 'visit_plans.owner_id' },
    },
  },
});
