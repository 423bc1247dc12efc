import type { Knex } from 'knex';
import { insertRow } from '../src/db/sql.js';
import { refreshPipelineTotals } from '../src/features/opportunities/pipeline-totals.js';
import { generateContacts, generateFollowUps, generateOpportunity, type StageRef } from './sales-generator.js';

type DemoCustomer = { id: number; owner_id: number; last_contact_at: string | null; next_follow_up_at: string | null };

/**
 * Contacts, follow-ups and opportunities for the demo customers (CONTRACT.md: each rep owns some
 * of each), with a stage-history row for each opportunity's opening stage. Runs inside seedDemo's
 * transaction, once: it adds nothing when the demo customers already have opportunities.
 */
export async function seedDemoSales(trx: Knex.Transaction, customerIds: number[], now: string): Promise<void> {
  if (customerIds.length === 0) return;
  const existing = await trx('opportunities').whereIn('customer_id', customerIds).first('id');
  if (existing) return;
  const customers: DemoCustomer[] = await trx('customers')
    .whereIn('id', customerIds)
    .orderBy('id')
    .select('id', 'owner_id', 'last_contact_at', 'next_follow_up_at');
  const stages: StageRef[] = await trx('pipeline_stages').where('is_active', true).orderBy('sort').select('id', 'probability', 'kind');
  const nowMs = Date.parse(now.replace(' ', 'T') + 'Z');
  for (const [n, c] of customers.entries()) {
    const contacts = generateContacts(n, c.id, c.owner_id, now);
    if (contacts.length > 0) await trx('contacts').insert(contacts);
    const followUps = generateFollowUps(n, 2 + (n % 3), {
      id: c.id,
      ownerId: c.owner_id,
      lastContactAt: c.last_contact_at,
      nextFollowUpAt: c.next_follow_up_at,
    });
    if (followUps.length > 0) await trx('followups').insert(followUps);
    const opportunity = generateOpportunity(n, c.id, c.owner_id, stages, nowMs);
    if (!opportunity) continue;
    const opportunityId = await insertRow(trx, 'opportunities', opportunity);
    await trx('opportunity_stage_history').insert({
      opportunity_id: opportunityId,
      customer_id: c.id,
      from_stage_id: null,
      to_stage_id: opportunity.stage_id,
      changed_by: c.owner_id,
      changed_at: opportunity.stage_entered_at,
    });
  }
  // The board's totals are a summary kept by every write (pipeline-totals.ts); these rows too.
  await refreshPipelineTotals(trx, customers.map((c) => c.owner_id));
}
