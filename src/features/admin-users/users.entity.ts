import { toDbTime } from '../../db/time.js';
import { defineEntity } from '../../kernel/entity/define-entity.js';
import { dateTime, email, phone, ref, text } from '../../kernel/entity/fields.js';
import { departmentOptions, roleOptions } from './organisation.entity.js';
import { accountBadges } from './users.account-state.js';
import { userHooks, userRules } from './users.rules.js';

// An account. Admin pages see every user: there is no data scope here, the admin.users key is the
// guard. is_active, the password hash and the lockout counters are no form's fields: the account
// actions (users.account.ts) change them, each through the write path with an audit of its own.
export const users = defineEntity({
  name: 'user',
  plural: 'users',
  table: 'users',
  fields: {
    username: text(64, { required: true, min: 3, pattern: /^[A-Za-z0-9._-]+$/, createOnly: true }),
    display_name: text(100, { required: true }),
    email: email({ width: 6 }),
    phone: phone({ width: 6 }),
    role_id: ref('role', { required: true, options: roleOptions }),
    department_id: ref('department', { options: departmentOptions }),
    last_login_at: dateTime({ editable: false }),
  },
  titleColumn: 'username',
  scope: { kind: 'global' },
  softDelete: false,
  permissions: { view: 'admin.users', create: 'admin.users', edit: 'admin.users' },
  referenceData: true,
  // Usernames are compared without case, as MySQL's collation (and so the unique index) does.
  uniques: [{ key: { table: 'users', columns: ['username'] }, field: 'username', messageKey: 'users.username_taken' }],
  rules: userRules,
  hooks: userHooks,
  // The users table is small enough to match anywhere in the text.
  search: () => ({ column: ['username', 'display_name'], match: 'contains' }),
  list: {
    columns: [
      'username',
      'display_name',
      'role_id',
      'department_id',
      { key: 'status', cell: (row, c) => ({ text: '', badges: accountBadges(row, c.t) }) },
      'last_login_at',
      'created_at',
    ],
    // created_at follows id, so "newest first" is read in primary-key order.
    sorts: { username: 'users.username', display_name: 'users.display_name', last_login_at: 'users.last_login_at', created_at: 'users.id' },
    defaultSort: 'username',
    defaultDir: 'asc',
    filters: {
      role_id: { kind: 'ref', column: 'users.role_id', options: roleOptions },
      status: {
        kind: 'conditions',
        labelPrefix: 'users.status',
        conditions: {
          active: (q) => q.where('users.is_active', true),
          inactive: (q) => q.where('users.is_active', false),
          locked: (q) => q.where('users.locked_until', '>', toDbTime()),
        },
      },
    },
    rowTest: (row) => `user-${row.username}`,
  },
});
