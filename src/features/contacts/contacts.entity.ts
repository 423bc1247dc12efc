import { defineEntity } from '../../kernel/entity/define-entity.js';
import { boolean, date, email, longText, phone, ref, text, user } from '../../kernel/entity/fields.js';

// A contact has no owner of its own: it is seen and changed with its customer.
export const contacts = defineEntity({
  name: 'contact',
  plural: 'contacts',
  table: 'contacts',
  fields: {
    customer_id: ref('customer', { required: true, editable: false }),
    name: text(100, { required: true }),
    title: text(100),
    phone: phone(),
    email: email(),
    wechat: text(100, { width: 4 }),
    is_key_decision_maker: boolean({ width: 8 }),
    birthday: date({ invalidKey: 'contacts.error.birthday' }),
    remark: longText(5000),
  },
  titleColumn: 'name',
  scope: { kind: 'through', field: 'customer_id' },
  softDelete: false,
  permissions: { view: 'customers.view', create: 'customers.edit', edit: 'customers.edit', delete: 'customers.edit' },
  createdByColumn: 'created_by',
  uniques: [
    { key: { table: 'contacts', columns: ['customer_id', 'phone'], index: 'contacts_customer_phone' }, field: 'phone', messageKey: 'contacts.error.phone_taken' },
  ],
  // Digits look up the phone, anything else the name; both by prefix, each from its own index.
  search: (q) => ({ column: /^[\d+\-() ]{3,}$/.test(q) ? 'phone' : 'name', match: 'prefix' }),
  list: {
    columns: [
      'name',
      'title',
      'phone',
      'email',
      { key: 'customer_id', sort: 'customer' },
      { key: 'customer_owner_id', labelKey: 'customers.field.owner_id', select: 'customers.owner_id', field: user() },
      'updated_at',
    ],
    // Sorted by name unless asked otherwise: the contacts_name index serves that order for every scope.
    sorts: { name: 'contacts.name', customer: 'customers.name', updated_at: 'contacts.updated_at', created_at: 'contacts.id' },
    defaultSort: 'name',
    defaultDir: 'asc',
  },
});
