import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDbTime } from '../src/db/time.js';
import { rebuildPipelineTotals, refreshPipelineTotals } from '../src/features/opportunities/pipeline-totals.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let rep1: Agent;
let rep2: Agent;
let manager1: Agent;
let admin: Agent;

const stageId = async (code: string): Promise<number> => (await t.db('pipeline_stages').where({ code }).first('id')).id;

async function insertOpportunity(owner: string, fields: Record<string, unknown> = {}): Promise<number> {
  const ownerId = await t.userId(owner);
  const customer = await t.db('customers').where('owner_id', ownerId).whereNull('deleted_at').orderBy('id').first('id');
  const now = toDbTime();
  const [id] = await t.db('opportunities').insert({
    customer_id: customer.id, title: `Card of ${owner}`, amount: '1.00', currency: 'CNY', stage_id: await stageId('initial_contact'),
    probability: 10, stage_entered_at: now, owner_id: ownerId, created_by: ownerId, version: 1, created_at: now, updated_at: now, ...fields,
  });
  // Written past the app, so the board's summary is brought up to date as a save would.
  await refreshPipelineTotals(t.db, [ownerId]);
  return Number(id);
}

/** The HTML of one column of the board. */
function column(html: string, code: string): string {
  const start = html.indexOf(`data-test="column-${code}"`);
  expect(start).toBeGreaterThan(0);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}
const count = (col: string) => Number(/data-test="count">(\d+)</.exec(col)![1]);
const totals = (col: string, currency = 'CNY') => {
  const block = new RegExp(`data-test="totals-${currency}">[\\s\\S]*?data-test="amount">([^<]+)<[\\s\\S]*?data-test="weighted">([^<]+)<`).exec(col);
  return block ? { amount: block[1], weighted: block[2] } : null;
};

beforeAll(async () => {
  t = await createTestApp();
  // The board's totals are asserted exactly, so the demo's own opportunities (if any) are set aside.
  await t.db('opportunities').update({ deleted_at: toDbTime() });
  await rebuildPipelineTotals(t.db);
  [rep1, rep2, manager1, admin] = await Promise.all(['rep1', 'rep2', 'manager1', 'admin'].map((u) => loginAs(t.app, u)));
  const needs = await stageId('needs_analysis');
  const proposal = await stageId('proposal');
  await insertOpportunity('rep1', { title: 'Alpha 华东', amount: '100.10', probability: 10, expected_close_date: '2031-01-10' });
  await insertOpportunity('rep1', { title: 'Bravo', amount: '33.33', probability: 30, stage_id: needs });
  await insertOpportunity('rep1', { title: 'Charlie', amount: '0.05', probability: 50, stage_id: needs });
  await insertOpportunity('rep1', { title: 'Delta USD', amount: '10.00', probability: 55, stage_id: needs, currency: 'USD' });
  await insertOpportunity('rep2', { title: 'Echo of rep2', amount: '200.00', probability: 25, stage_id: proposal });
  await insertOpportunity('rep3', { title: 'Foxtrot of rep3', amount: '999.00', probability: 10 });
  await insertOpportunity('rep1', { title: 'Old deleted', amount: '5000.00', deleted_at: toDbTime() });
  await insertOpportunity('rep1', { title: 'Golf won', amount: '77.00', stage_id: await stageId('won'), probability: 100 });
  await insertOpportunity('rep1', { title: 'Hotel lost', amount: '88.00', stage_id: await stageId('lost'), probability: 0, lost_reason: 'price' });
});
afterAll(() => t.close());

describe('columns', () => {
  it('shows one column per active open stage, in order, with exact count, total and weighted total', async () => {
    const res = await rep1.get('/opportunities/board').set('Accept-Language', 'en');
    expect(res.status).toBe(200);
    const html = res.text;
    const positions = ['initial_contact', 'needs_analysis', 'proposal', 'negotiation'].map((c) => html.indexOf(`data-test="column-${c}"`));
    expect(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]))).toBe(true);
    expect(html).not.toContain('data-test="column-won"');
    expect(html).not.toContain('data-test="column-lost"');

    const initial = column(html, 'initial_contact');
    expect(count(initial)).toBe(1);
    expect(totals(initial)).toEqual({ amount: '100.10', weighted: '10.01' });
    expect(initial).toContain('Alpha 华东');
    expect(initial).toContain('01/10/2031'); // the close date, in the reader's language
    expect(initial).not.toContain('Old deleted');

    // 33.33 at 30% is 9.999 → 10.00; 0.05 at 50% is 0.025 → 0.03: weighted 10.03 in CNY, USD apart.
    const needs = column(html, 'needs_analysis');
    expect(count(needs)).toBe(3);
    expect(totals(needs)).toEqual({ amount: '33.38', weighted: '10.03' });
    expect(totals(needs, 'USD')).toEqual({ amount: '10.00', weighted: '5.50' });

    // rep1 sees only their own cards.
    expect(html).not.toContain('Echo of rep2');
    expect(html).not.toContain('Foxtrot of rep3');
    expect(count(column(html, 'proposal'))).toBe(0);
    expect(html).not.toContain('data-test="owner-filter"');
    expect(html).toContain('This month: 1 won, 1 lost.');
  });

  it('gives every card a form posting to its stage route, and loads board.js from a file', async () => {
    const html = (await rep1.get('/opportunities/board')).text;
    const alpha = await t.db('opportunities').where({ title: 'Alpha 华东' }).first();
    expect(html).toContain(`action="/opportunities/${alpha.id}/stage"`);
    expect(html).toContain('name="version" value="1"');
    expect(html).toContain('draggable="true"');
    expect(html).toContain('<script src="/public/board.js" defer></script>');
    expect((await rep1.get('/public/board.js')).status).toBe(200);
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('lets a manager see the team and filter by rep; the filter cannot reach outside the scope', async () => {
    const all = await manager1.get('/opportunities/board');
    expect(all.text).toContain('data-test="owner-filter"');
    expect(all.text).toContain('Echo of rep2');
    expect(all.text).toContain('Alpha 华东');
    expect(all.text).not.toContain('Foxtrot of rep3');

    const onlyRep2 = (await manager1.get(`/opportunities/board?owner_id=${await t.userId('rep2')}`)).text;
    expect(onlyRep2).toContain('Echo of rep2');
    expect(onlyRep2).not.toContain('Alpha 华东');
    expect(count(column(onlyRep2, 'proposal'))).toBe(1);
    expect(totals(column(onlyRep2, 'proposal'))).toEqual({ amount: '200.00', weighted: '50.00' });
    expect(count(column(onlyRep2, 'initial_contact'))).toBe(0);

    const outside = (await manager1.get(`/opportunities/board?owner_id=${await t.userId('rep3')}`)).text;
    expect(outside).not.toContain('Foxtrot of rep3');
    // A rep's own board ignores an owner filter pointing elsewhere.
    expect((await rep1.get(`/opportunities/board?owner_id=${await t.userId('rep2')}`)).text).not.toContain('Echo of rep2');
    // The admin sees everyone.
    expect((await admin.get('/opportunities/board')).text).toContain('Foxtrot of rep3');
  });
});

describe('moving a card', () => {
  it('answers 404 for a card out of scope', async () => {
    const foxtrot = await t.db('opportunities').where({ title: 'Foxtrot of rep3' }).first();
    const res = await postForm(rep1, `/opportunities/${foxtrot.id}/stage`, { stage_id: String(await stageId('initial_contact')), version: 1 });
    expect(res.status).toBe(404);
    expect((await postForm(rep2, `/opportunities/${foxtrot.id}/stage`, { stage_id: String(await stageId('lost')), version: 1 })).status).toBe(404);
  });

  it('moves backward (303 to the board, keeping the manager\'s rep filter) and updates the columns', async () => {
    const echo = await t.db('opportunities').where({ title: 'Echo of rep2' }).first();
    const rep2Id = await t.userId('rep2');
    const res = await postForm(manager1, `/opportunities/${echo.id}/stage`, { stage_id: String(await stageId('needs_analysis')), version: 1, board_owner_id: String(rep2Id) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/opportunities/board?owner_id=${rep2Id}`);
    const html = (await manager1.get(res.headers.location)).text;
    expect(html).toContain('data-test="flash"');
    expect(count(column(html, 'proposal'))).toBe(0);
    expect(count(column(html, 'needs_analysis'))).toBe(1);
    expect(totals(column(html, 'needs_analysis'))).toEqual({ amount: '200.00', weighted: '60.00' });
  });

  it('re-renders the board with 422 and the message when a rule is missing', async () => {
    const alpha = await t.db('opportunities').where({ title: 'Alpha 华东' }).first();
    const res = await postForm(rep1, `/opportunities/${alpha.id}/stage`, { stage_id: String(await stageId('proposal')), version: 1 }).set('Accept-Language', 'en');
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="stage-rules"');
    expect(res.text).toContain('log a follow-up on this opportunity first');
    expect(res.text).toContain('data-test="column-initial_contact"');
    // The card keeps the stage the rep picked, and asks no lost reason: that was not the problem.
    const card = new RegExp(`data-test="card-${alpha.id}"[\\s\\S]*?</article>`).exec(res.text)![0];
    expect(card).toMatch(new RegExp(`<option value="${await stageId('proposal')}" selected>`));
    expect(card).not.toContain('name="lost_reason"');
  });

  it('asks for the lost reason on the card when a move to lost comes without one, then takes it', async () => {
    const alpha = await t.db('opportunities').where({ title: 'Alpha 华东' }).first();
    const lost = String(await stageId('lost'));
    const refused = await postForm(rep1, `/opportunities/${alpha.id}/stage`, { stage_id: lost, version: String(alpha.version) });
    expect(refused.status).toBe(422);
    const card = new RegExp(`data-test="card-${alpha.id}"[\\s\\S]*?</article>`).exec(refused.text)![0];
    expect(card).toContain('name="lost_reason"');
    expect(card).toMatch(new RegExp(`<option value="${lost}" selected>`));
    const moved = await postForm(rep1, `/opportunities/${alpha.id}/stage`, { stage_id: lost, lost_reason: 'price', version: String(alpha.version) });
    expect(moved.status).toBe(303);
    expect((await t.db('opportunities').where({ id: alpha.id }).first()).lost_reason).toBe('price');
  });
});

describe('stages the admin changes', () => {
  it('keeps a deactivated open stage as a column while it still holds opportunities', async () => {
    const negotiation = await stageId('negotiation');
    const deal = await insertOpportunity('rep1', { title: 'India in negotiation', amount: '10.00', probability: 70, stage_id: negotiation });
    expect((await postForm(admin, `/admin/stages/${negotiation}/deactivate`)).status).toBe(303);
    let html = (await rep1.get('/opportunities/board')).text;
    expect(count(column(html, 'negotiation'))).toBe(1);
    // Inactive: no longer offered as a target on the other cards.
    expect(html).not.toContain(`<option value="${negotiation}">`);
    // Its own card keeps it selected, so pressing "Move" by mistake changes nothing.
    expect(html).toContain(`<option value="${negotiation}" selected>`);
    await t.db('opportunities').where({ id: deal }).update({ deleted_at: toDbTime() });
    await refreshPipelineTotals(t.db, [await t.userId('rep1')]);
    html = (await rep1.get('/opportunities/board')).text;
    expect(html).not.toContain('data-test="column-negotiation"');
    expect((await postForm(admin, `/admin/stages/${negotiation}/activate`)).status).toBe(303);
    expect((await rep1.get('/opportunities/board')).text).toContain('data-test="column-negotiation"');
  });
});

describe('a full column and a busy month', () => {
  it('shows the first ten cards of a column, undated ones first then the soonest to close, and links to the rest', async () => {
    const negotiation = await stageId('negotiation');
    const rep3 = await t.userId('rep3');
    const dates = ['2031-05-09', null, '2031-05-01', '2031-05-11', '2031-05-03', '2031-05-10', '2031-05-02', '2031-05-08', '2031-05-04', '2031-05-07', '2031-05-05', '2031-05-06'];
    const ids = [];
    for (const [i, date] of dates.entries()) {
      ids.push(await insertOpportunity('rep3', { title: `Kilo ${i}`, stage_id: negotiation, probability: 70, expected_close_date: date }));
    }
    try {
      const html = column((await admin.get(`/opportunities/board?owner_id=${rep3}`).set('Accept-Language', 'en')).text, 'negotiation');
      expect(count(html)).toBe(12);
      const shown = [...html.matchAll(/>Kilo (\d+)</g)].map((m) => dates[Number(m[1])]);
      expect(shown).toEqual([null, '2031-05-01', '2031-05-02', '2031-05-03', '2031-05-04', '2031-05-05', '2031-05-06', '2031-05-07', '2031-05-08', '2031-05-09']);
      expect(html).toContain(`/opportunities?stage_id=${negotiation}&amp;owner_id=${rep3}`);
    } finally {
      await t.db('opportunities').whereIn('id', ids).delete();
      await refreshPipelineTotals(t.db, [rep3]);
    }
  });

  it("counts won and lost this month for the scope, exactly, not last month's", async () => {
    const [won, lost] = [await stageId('won'), await stageId('lost')];
    const rep3 = await t.userId('rep3');
    const closed = (html: string) => /This month: (\S+) won, (\S+) lost\./.exec(html)!.slice(1).map(Number);
    const board = async (agent: Agent) => closed((await agent.get('/opportunities/board').set('Accept-Language', 'en')).text);
    const [[teamWon, teamLost], [allWon, allLost]] = [await board(manager1), await board(admin)];
    // Entered won two months ago: not this month's.
    const longAgo = toDbTime(new Date(Date.now() - 62 * 86_400_000));
    await insertOpportunity('rep2', { title: 'Lima won long ago', stage_id: won, probability: 100, stage_entered_at: longAgo });
    await insertOpportunity('rep2', { title: 'Mike lost now', stage_id: lost, probability: 0, lost_reason: 'price' });
    expect(await board(manager1)).toEqual([teamWon, teamLost + 1]);

    // rep3 is outside manager1's team: 1,001 wins this month show on the admin's board only, all of them.
    const now = toDbTime();
    const customer = await t.db('customers').where('owner_id', rep3).whereNull('deleted_at').first('id');
    const rows = Array.from({ length: 1001 }, (_, i) => ({
      customer_id: customer.id, title: `November ${i}`, amount: '1.00', currency: 'CNY', stage_id: won, probability: 100,
      stage_entered_at: now, owner_id: rep3, created_by: rep3, version: 1, created_at: now, updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 200) await t.db('opportunities').insert(rows.slice(i, i + 200));
    await refreshPipelineTotals(t.db, [rep3]);
    try {
      expect(await board(admin)).toEqual([allWon + 1001, allLost + 1]);
      expect(await board(manager1)).toEqual([teamWon, teamLost + 1]);
    } finally {
      await t.db('opportunities').where('owner_id', rep3).where('title', 'like', 'November %').delete();
      await refreshPipelineTotals(t.db, [rep3]);
    }
  });
});

describe('access', () => {
  it('needs a login', async () => {
    const { default: request } = await import('supertest');
    expect((await request(t.app).get('/opportunities/board')).status).toBe(303);
  });
});
