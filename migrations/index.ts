import type { Knex } from 'knex';
import * as createAccessTables from './20261121000100_create_access_tables.js';
import * as createDictionaries from './20261121000200_create_dictionaries.js';
import * as createCustomers from './20261121000300_create_customers.js';
import * as createAuditLog from './20261121000400_create_audit_log.js';
import * as seedRolesAndDictionaries from './20261121000500_seed_roles_and_dictionaries.js';
import * as createProducts from './20261122000100_create_products.js';
import * as createContacts from './20261122000200_create_contacts.js';
import * as createPipeline from './20261122000300_create_pipeline.js';
import * as createFollowups from './20261122000400_create_followups.js';
import * as createQuotes from './20261122000500_create_quotes.js';
import * as createContracts from './20261122000600_create_contracts.js';
import * as createSettings from './20261122000700_create_settings.js';
import * as seedSalesWorkflow from './20261122000800_seed_sales_workflow.js';
import * as customerFollowUpIndexes from './20261122000900_customer_follow_up_indexes.js';
import * as customersOwnerBranch from './20261122001000_customers_owner_branch.js';
import * as followupsRecentIndex from './20261122001100_followups_recent_index.js';
import * as createPipelineTotals from './20261122001200_create_pipeline_totals.js';
import * as opportunityStageEnteredIndexes from './20261122001300_opportunity_stage_entered_indexes.js';
import * as opportunitiesCloseStageIndex from './20261122001400_opportunities_close_stage_index.js';
import * as customersStaleIndexes from './20261122001500_customers_stale_indexes.js';
import * as customersOwnerLastContactOrder from './20261122001600_customers_owner_last_contact_order.js';
import * as pipelineTotalsStageIndex from './20261122001700_pipeline_totals_stage_index.js';
import * as createCustomerCounts from './20261122001800_create_customer_counts.js';
import * as createClosedCounts from './20261122001900_create_closed_counts.js';
import * as editVersions from './20261130000100_edit_versions.js';
import * as opportunitiesDeletedWithCustomer from './20261130000200_opportunities_deleted_with_customer.js';
import * as grantOpportunitiesRestore from './20261130000300_grant_opportunities_restore.js';
import * as customersUpdatedAtDescending from './20261130000400_customers_updated_at_descending.js';
import * as customersOwnerNameIndexes from './20261130000500_customers_owner_name_indexes.js';
import * as contractTimelineEvents from './20261130000600_contract_timeline_events.js';
import * as addSessionUserAndLoginLimits from './20261207000100_add_session_user_and_login_limits.js';
import * as createJobLeases from './20261208000100_create_job_leases.js';
import * as createVisitPlans from './20261208000200_create_visit_plans.js';

// Migrations are listed here rather than discovered on disk so the same list works under tsx,
// vitest and compiled JavaScript. Append new files; never edit or reorder a landed one.
export const migrations: ReadonlyArray<[name: string, migration: Knex.Migration]> = [
  ['20261121000100_create_access_tables', createAccessTables],
  ['20261121000200_create_dictionaries', createDictionaries],
  ['20261121000300_create_customers', createCustomers],
  ['20261121000400_create_audit_log', createAuditLog],
  ['20261121000500_seed_roles_and_dictionaries', seedRolesAndDictionaries],
  ['20261122000100_create_products', createProducts],
  ['20261122000200_create_contacts', createContacts],
  ['20261122000300_create_pipeline', createPipeline],
  ['20261122000400_create_followups', createFollowups],
  ['20261122000500_create_quotes', createQuotes],
  ['20261122000600_create_contracts', createContracts],
  ['20261122000700_create_settings', createSettings],
  ['20261122000800_seed_sales_workflow', seedSalesWorkflow],
  ['20261122000900_customer_follow_up_indexes', customerFollowUpIndexes],
  ['20261122001000_customers_owner_branch', customersOwnerBranch],
  ['20261122001100_followups_recent_index', followupsRecentIndex],
  ['20261122001200_create_pipeline_totals', createPipelineTotals],
  ['20261122001300_opportunity_stage_entered_indexes', opportunityStageEnteredIndexes],
  ['20261122001400_opportunities_close_stage_index', opportunitiesCloseStageIndex],
  ['20261122001500_customers_stale_indexes', customersStaleIndexes],
  ['20261122001600_customers_owner_last_contact_order', customersOwnerLastContactOrder],
  ['20261122001700_pipeline_totals_stage_index', pipelineTotalsStageIndex],
  ['20261122001800_create_customer_counts', createCustomerCounts],
  ['20261122001900_create_closed_counts', createClosedCounts],
  ['20261130000100_edit_versions', editVersions],
  ['20261130000200_opportunities_deleted_with_customer', opportunitiesDeletedWithCustomer],
  ['20261130000300_grant_opportunities_restore', grantOpportunitiesRestore],
  ['20261130000400_customers_updated_at_descending', customersUpdatedAtDescending],
  ['20261130000500_customers_owner_name_indexes', customersOwnerNameIndexes],
  ['20261130000600_contract_timeline_events', contractTimelineEvents],
  ['20261207000100_add_session_user_and_login_limits', addSessionUserAndLoginLimits],
  ['20261208000100_create_job_leases', createJobLeases],
  ['20261208000200_create_visit_plans', createVisitPlans],
];
