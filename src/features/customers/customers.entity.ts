import { defineEntity } from '../../kernel/entity/define-entity.js';
import { dateTime, dict, email, enumOf, longText, phone, text, user } from '../../kernel/entity/fields.js';
import { pipelineIsolation } from '../opportunities/index.js';
import { customerHooks } from './customers.hooks.js';
import { customerListPlan } from './customers.list.plan.js';

export const CUSTOMER_KINDS = ['company', 'individual'] as const;

/** Written by follow-ups, shown in the list. */
const LAST_CONTACT = dateTime({ editable: false });

export const customers = defineEntity({
  name: 'customer',
  plural: 'customers',
  table: 'customers',
  fields: {
    kind: enumOf(CUSTOMER_KINDS, 'customers.kind'),
    name: text(200, { required: true, width: 8 }),
    company: text(200),
    phone: phone({ width: 3 }),
    email: email({ width: 3 }),
    industry: dict('industry', { width: 3 }),
    source: dict('customer_source', { width: 3 }),
    level: dict('customer_level', { width: 3 }),
    status: dict('customer_status', { required: true, width: 3 }),
    region: text(100),
    address: text(500),
    remark: longText(5000),
    owner_id: user({ required: true, permission: 'customers.assign' }),
    next_follow_up_at: dateTime({ width: 6 }),
  },
  titleColumn: 'name',
  scope: { kind: 'owned', column: 'owner_id' },
  softDelete: true,
  permissions: { view: 'customers.view', create: 'customers.create', edit: 'customers.edit', delete: 'customers.delete', restore: 'customers.restore' },
  createdByColumn: 'created_by',
  defaults: (actor) => ({ kind: 'company', status: 'new', owner_id: String(actor.id) }),
  hooks: customerHooks,
  // A delete or restore takes the customer's opportunities along, under their owners' pipeline locks.
  transaction: (db, op) => (op.kind === 'delete' || op.kind === 'restore' ? pipelineIsolation(db) : undefined),
  search: () => ({ column: 'name', match: 'prefix' }),
  list: {
    columns: ['name', 'phone', 'email', 'status', 'level', 'owner_id', { key: 'last_contact_at', field: LAST_CONTACT }, 'next_follow_up_at', 'updated_at'],
    sorts: { name: 'name', status: 'status', level: 'level', last_contact_at: 'last_contact_at', next_follow_up_at: 'next_follow_up_at', updated_at: 'updated_at', created_at: 'id' },
    defaultSort: 'updated_at',
    defaultDir: 'desc',
    filters: {
      status: { kind: 'dict', column: 'status', dictType: 'customer_status' },
      level: { kind: 'dict', column: 'level', dictType: 'customer_level' },
      source: { kind: 'dict', column: 'source', dictType: 'customer_source' },
      owner_id: { kind: 'owner', column: 'owner_id', permission: 'customers.assign' },
    },
    plan: customerListPlan,
  },
});
