import type { Knex } from 'knex';
import * as createAccessTables from './20261121000100_create_access_tables.js';
import * as createDictionaries from './20261121000200_create_dictionaries.js';
import * as createCustomers from './20261121000300_create_customers.js';
import * as createAuditLog from './20261121000400_create_audit_log.js';
import * as seedRolesAndDictionaries from './20261121000500_seed_roles_and_dictionaries.js';

// Migrations are listed here rather than discovered on disk so the same list works under tsx,
// vitest and compiled JavaScript. Append new files; never edit or reorder a landed one.
export const migrations: ReadonlyArray<[name: string, migration: Knex.Migration]> = [
  ['20261121000100_create_access_tables', createAccessTables],
  ['20261121000200_create_dictionaries', createDictionaries],
  ['20261121000300_create_customers', createCustomers],
  ['20261121000400_create_audit_log', createAuditLog],
  ['20261121000500_seed_roles_and_dictionaries', seedRolesAndDictionaries],
];
