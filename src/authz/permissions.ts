// Every permission key the application checks. Roles are rows in role_permissions holding these keys;
// a key missing here cannot be granted or checked, which keeps typos out of routes.
export const PERMISSIONS = [
  'customers.view',
  'customers.create',
  'customers.edit',
  'customers.delete',
  'customers.restore',
  'customers.assign',
  'admin.users',
  'admin.dictionaries',
  'followups.create',
  'opportunities.view',
  'opportunities.create',
  'opportunities.edit',
  'opportunities.delete',
  'opportunities.restore',
  'products.view',
  'quotes.view',
  'quotes.create',
  'quotes.edit',
  'contracts.view',
  'contracts.create',
  'contracts.edit',
  'contracts.approve',
  'payments.view',
  'payments.create',
  'admin.products',
  'admin.stages',
  'admin.settings',
  'visits.view',
  'visits.create',
  'visits.edit',
  'visits.delete',
  'visits.restore',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

export const DATA_SCOPES = ['own', 'department_tree', 'all'] as const;
export type DataScope = (typeof DATA_SCOPES)[number];
