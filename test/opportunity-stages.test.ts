import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDbTime } from '../src/db/time.js';
import { refreshPipelineTotals } from '../src/features/opportunities/pipeline-totals.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let rep1: Agent;
let rep1Id: number;

const stageId = async (code: string): Promise<number> => (await t.db('pipeline_stages').where({ code }).first('id')).id;
const ago = (minutes: number) => toDbTime(new Date(Date.now() - minutes * 60_000));

async function insertOpportunity(fields: Record<string, unknown> = {}): Promise<number> {
  const customer = await t.db('customers').where('owner_id', rep1Id).whereNull('deleted_at').orderBy('id').first('id');
  const now = toDbTime();
  const [id] = await t.db('opportunities').insert({
    customer_id: customer.id, title: 'Stage rules deal', amount: '5000.00', currency: 'CNY', stage_id: await stageId('initial_contact'),
    probability: 10, stage_entered_at: ago(60), owner_id: rep1Id, created_by: rep1Id, version: 1, created_at: now, updated_at: now, ...fields,
  });
  // Written past the app, so the totals' summary is brought up to date as a save would.
  await refreshPipelineTotals(t.db, [rep1Id]);
  return Number(id);
}

async function logFollowUp(opportunityId: number, occurredAt: string): Promise<void> {
  const opportunity = await t.db('opportunities').where({ id: opportunityId }).first();
  const now = toDbTime();
  await t.db('followups').insert({
    customer_id: opportunity.customer_id, opportunity_id: opportunityId, type: 'call', occurred_at: occurredAt, content: 'Called about the deal',
    created_by: rep1Id, created_at: now, updated_at: now,
  });
}

const current = (id: number) => t.db('opportunities').where({ id }).first();
const history = (id: number) => t.db('opportunity_stage_history').where({ opportunity_id: id }).orderBy('id');

/** The edit form's fields for an opportunity, with some replaced. */
async function editFields(id: number, changes: Record<string, string>): Promise<Record<string, string>> {
  const row = await current(id);
  return {
    version: String(row.version), title: row.title, amount: '5000.00', currency: row.currency, stage_id: String(row.stage_id),
    probability: String(row.probability), expected_close_date: row.expected_close_date ?? '', ...changes,
  };
}

beforeAll(async () => {
  t = await createTestApp();
  rep1 = await loginAs(t.app, 'rep1');
  rep1Id = await t.userId('rep1');
});
afterAll(() => t.close());

describe('moving forward on the edit form', () => {
  it('is refused without a follow-up and a close date, naming both rules (422, nothing written)', async () => {
    const id = await insertOpportunity();
    const res = await postForm(rep1, `/opportunities/${id}`, await editFields(id, { stage_id: String(await stageId('needs_analysis')) })).set('Accept-Language', 'en');
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="stage-rules"');
    expect(res.text).toContain('log a follow-up on this opportunity first');
    expect(res.text).toContain('set an expected close date first');
    expect(res.text).toContain('data-test="error-expected_close_date"');
    expect((await current(id)).stage_id).toBe(await stageId('initial_contact'));
    expect(await history(id)).toHaveLength(0);
    expect(await t.db('audit_log').where({ entity: 'opportunity', entity_id: id })).toHaveLength(0);
  });

  it('names only the missing rule: a close date given, no follow-up', async () => {
    const id = await insertOpportunity();
    const res = await postForm(rep1, `/opportunities/${id}`, await editFields(id, { stage_id: String(await stageId('proposal')), expected_close_date: '2031-01-15' })).set('Accept-Language', 'en');
    expect(res.status).toBe(422);
    expect(res.text).toContain('log a follow-up on this opportunity first');
    expect(res.text).not.toContain('set an expected close date first');
    expect(res.text).toContain('value="2031-01-15"');
  });

  it('does not count a follow-up logged before the opportunity entered its stage', async () => {
    const id = await insertOpportunity({ stage_entered_at: ago(30), expected_close_date: '2031-01-15' });
    await logFollowUp(id, ago(45));
    const res = await postForm(rep1, `/opportunities/${id}`, await editFields(id, { stage_id: String(await stageId('needs_analysis')) })).set('Accept-Language', 'en');
    expect(res.status).toBe(422);
    expect(res.text).toContain('log a follow-up on this opportunity first');
  });

  it('does not count a follow-up on another opportunity of the same customer', async () => {
    const id = await insertOpportunity({ expected_close_date: '2031-01-15' });
    const other = await insertOpportunity({ title: 'Sibling' });
    await logFollowUp(other, ago(5));
    const res = await postForm(rep1, `/opportunities/${id}`, await editFields(id, { stage_id: String(await stageId('needs_analysis')) }));
    expect(res.status).toBe(422);
  });

  it('is allowed with a follow-up since entering the stage and a close date: history, probability, audit, in one go', async () => {
    const id = await insertOpportunity({ stage_entered_at: ago(30) });
    await logFollowUp(id, ago(10));
    const before = await current(id);
    const res = await postForm(rep1, `/opportunities/${id}`, await editFields(id, { stage_id: String(await stageId('proposal')), expected_close_date: '2031-02-01' }));
    expect(res.status).toBe(303);
    const after = await current(id);
    expect(after).toMatchObject({ stage_id: await stageId('proposal'), probability: 50, expected_close_date: '2031-02-01', version: 2 });
    expect(after.stage_entered_at > before.stage_entered_at).toBe(true);
    const rows = await history(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ from_stage_id: await stageId('initial_contact'), to_stage_id: await stageId('proposal'), changed_by: rep1Id, customer_id: before.customer_id });
    expect(rows[0].changed_at).toBe(after.stage_entered_at);
    const audit = await t.db('audit_log').where({ entity: 'opportunity', entity_id: id, action: 'update' }).first();
    expect(JSON.parse(audit.changes).stage_id).toEqual({ before: await stageId('initial_contact'), after: await stageId('proposal') });

    // The follow-up belonged to the previous stage: moving on again needs a new one.
    const again = await postForm(rep1, `/opportunities/${id}`, await editFields(id, { stage_id: String(await stageId('negotiation')) }));
    expect(again.status).toBe(422);
  });

  it('moving backward needs neither a follow-up nor a close date', async () => {
    const id = await insertOpportunity({ stage_id: await stageId('negotiation'), probability: 70 });
    const res = await postForm(rep1, `/opportunities/${id}`, await editFields(id, { stage_id: String(await stageId('needs_analysis')) }));
    expect(res.status).toBe(303);
    expect(await current(id)).toMatchObject({ stage_id: await stageId('needs_analysis'), probability: 30 });
    expect(await history(id)).toHaveLength(1);
  });

  it('moving to lost needs only the lost reason', async () => {
    const id = await insertOpportunity();
    const res = await postForm(rep1, `/opportunities/${id}`, await editFields(id, { stage_id: String(await stageId('lost')), lost_reason: 'no_budget' }));
    expect(res.status).toBe(303);
    expect(await current(id)).toMatchObject({ stage_id: await stageId('lost'), probability: 0, lost_reason: 'no_budget' });
  });

  it('moving to won is moving forward', async () => {
    const id = await insertOpportunity({ stage_id: await stageId('negotiation'), probability: 70 });
    const refused = await postForm(rep1, `/opportunities/${id}`, await editFields(id, { stage_id: String(await stageId('won')) }));
    expect(refused.status).toBe(422);
    await logFollowUp(id, toDbTime());
    const ok = await postForm(rep1, `/opportunities/${id}`, await editFields(id, { stage_id: String(await stageId('won')), expected_close_date: '2031-03-01' }));
    expect(ok.status).toBe(303);
    expect(await current(id)).toMatchObject({ stage_id: await stageId('won'), probability: 100 });
  });
});

describe('moving on the board uses the same rules', () => {
  it('refuses without a follow-up (422 board with the message), then moves (303, flash, history)', async () => {
    const id = await insertOpportunity({ expected_close_date: '2031-04-01' });
    const target = String(await stageId('needs_analysis'));
    const refused = await postForm(rep1, `/opportunities/${id}/stage`, { stage_id: target, version: 1 }).set('Accept-Language', 'en');
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('data-test="board"');
    expect(refused.text).toContain('log a follow-up on this opportunity first');
    expect(await history(id)).toHaveLength(0);

    await logFollowUp(id, toDbTime());
    const moved = await postForm(rep1, `/opportunities/${id}/stage`, { stage_id: target, version: 1 });
    expect(moved.status).toBe(303);
    expect(moved.headers.location).toBe('/opportunities/board');
    expect((await rep1.get('/opportunities/board')).text).toContain('data-test="flash"');
    expect(await current(id)).toMatchObject({ stage_id: Number(target), probability: 30, version: 2 });
    expect((await history(id)).map((h) => h.to_stage_id)).toEqual([Number(target)]);
    expect(await t.db('audit_log').where({ entity: 'opportunity', entity_id: id, action: 'update' })).toHaveLength(1);
  });

  it('names the missing close date', async () => {
    const id = await insertOpportunity();
    await logFollowUp(id, toDbTime());
    const res = await postForm(rep1, `/opportunities/${id}/stage`, { stage_id: String(await stageId('needs_analysis')), version: 1 }).set('Accept-Language', 'en');
    expect(res.status).toBe(422);
    expect(res.text).toContain('set an expected close date first');
    expect(res.text).not.toContain('log a follow-up on this opportunity first');
  });

  it('moves backward freely, needs a lost reason for lost, and answers 409 on a stale version', async () => {
    const id = await insertOpportunity({ stage_id: await stageId('proposal'), probability: 50 });
    expect((await postForm(rep1, `/opportunities/${id}/stage`, { stage_id: String(await stageId('initial_contact')), version: 1 })).status).toBe(303);
    const stale = await postForm(rep1, `/opportunities/${id}/stage`, { stage_id: String(await stageId('lost')), version: 1 });
    expect(stale.status).toBe(409);
    const noReason = await postForm(rep1, `/opportunities/${id}/stage`, { stage_id: String(await stageId('lost')), version: 2 }).set('Accept-Language', 'en');
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Choose a lost reason');
    const lost = await postForm(rep1, `/opportunities/${id}/stage`, { stage_id: String(await stageId('lost')), version: 2, lost_reason: 'price' });
    expect(lost.status).toBe(303);
    expect(await current(id)).toMatchObject({ stage_id: await stageId('lost'), lost_reason: 'price', probability: 0 });
    expect((await history(id)).map((h) => h.to_stage_id)).toEqual([await stageId('initial_contact'), await stageId('lost')]);
  });

  it('422 for a stage that does not exist or is inactive', async () => {
    const id = await insertOpportunity();
    expect((await postForm(rep1, `/opportunities/${id}/stage`, { stage_id: '99999', version: 1 })).status).toBe(422);
    expect((await postForm(rep1, `/opportunities/${id}/stage`, { stage_id: 'x', version: 1 })).status).toBe(422);
  });
});
