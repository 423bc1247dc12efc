import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDbTime } from '../src/db/time.js';
import { loadActor } from '../src/auth/load-actor.js';
import { markOverdueVisits, overdueVisitsJob, visits } from '../src/features/visits/index.js';
import { ensureLeaseRows } from '../src/kernel/jobs/lease.js';
import { runDue } from '../src/kernel/jobs/scheduler.js';
import { createRecord } from '../src/kernel/testing/factories.js';
import { localToday } from '../src/i18n/calendar.js';
import { toLocalInput } from '../src/i18n/format.js';
import { insertCustomer } from './support/records.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// Visit plans: the first entity written as a definition plus its rules on the kernel.

let t: TestApp;
const agents: Record<string, Agent> = {};
const customerOf: Record<string, number> = {};
const ZONE = 'Asia/Shanghai';

/** A local datetime-local value `hours` from now, in the demo users' zone. */
const inHours = (hours: number) => toLocalInput(toDbTime(new Date(Date.now() + hours * 3600_000)), ZONE);

beforeAll(async () => {
  t = await createTestApp({ customers: 12 });
  for (const u of ['admin', 'manager1', 'manager2', 'rep1', 'rep2', 'rep3']) {
    agents[u] = await loginAs(t.app, u);
    customerOf[u] = await insertCustomer(t, u, `Visit customer of ${u}`);
  }
});
afterAll(() => t.close());

const valid = (customer: number, fields: Record<string, string | string[]> = {}) => ({
  customer_id: String(customer),
  purpose: '季度回访',
  planned_at: inHours(48),
  owner_id: '',
  status: 'planned',
  address: '上海市浦东新区',
  materials: '产品手册',
  summary: '',
  ...fields,
});

async function createVisit(agent: Agent, owner: string, fields: Record<string, string | string[]> = {}): Promise<number> {
  const res = await postForm(agent, '/visits', valid(customerOf[owner], { owner_id: String(await t.userId(owner)), ...fields }) as Record<string, string>);
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return Number(/\/visits\/(\d+)$/.exec(res.headers.location)![1]);
}

describe('planning a visit', () => {
  it('starts from finding the customer, then a form for that customer', async () => {
    const pick = await agents.rep1.get('/visits/new');
    expect(pick.status).toBe(200);
    const found = await agents.rep1.get(`/visits/new?q=${encodeURIComponent('Visit customer of rep1')}`);
    expect(found.text).toContain(`/visits/new?customer_id=${customerOf.rep1}`);
    // Another rep's customer is not offered, and its form is not found.
    expect((await agents.rep1.get(`/visits/new?q=${encodeURIComponent('Visit customer of rep3')}`)).text).not.toContain(`customer_id=${customerOf.rep3}`);
    expect((await agents.rep1.get(`/visits/new?customer_id=${customerOf.rep3}`)).status).toBe(404);
    const form = await agents.rep1.get(`/visits/new?customer_id=${customerOf.rep1}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Visit customer of rep1');
  });

  it('saves with participants, shows labels, and records the history', async () => {
    const rep2 = await t.userId('rep2');
    const manager1 = await t.userId('manager1');
    const id = await createVisit(agents.rep1, 'rep1', { participants: [String(rep2), String(manager1)] });
    const links = await t.db('visit_plan_participants').where('visit_plan_id', id).orderBy('user_id').pluck('user_id');
    expect(links.map(Number)).toEqual([manager1, rep2].sort((a, b) => a - b));
    const page = await agents.rep1.get(`/visits/${id}`).set('Accept-Language', 'en');
    expect(page.status).toBe(200);
    expect(page.text).toContain('季度回访');
    expect(page.text).toMatch(/data-test="field-participants">[^<]*(张|李|王|Manager|Rep)/);
    expect(page.text).not.toMatch(/data-test="field-owner_id">\d+</);
    const audit = await t.db('audit_log').where({ entity: 'visit_plan', entity_id: id }).first();
    expect(JSON.parse(audit.changes).purpose.after).toBe('季度回访');
  });

  it('answers 422 with every typed value kept and a message by each bad field', async () => {
    const res = await postForm(agents.rep1, '/visits', valid(customerOf.rep1, { purpose: '', planned_at: '2026-02-30T10:00', address: '地址🙂' }) as Record<string, string>);
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-purpose"');
    expect(res.text).toContain('data-test="error-planned_at"');
    expect(res.text).toContain('value="地址🙂"');
  });

  it('refuses an owner outside the planner\'s scope (422), never stores it', async () => {
    const before = Number((await t.db('visit_plans').count({ n: '*' }).first())!.n);
    const res = await postForm(agents.rep1, '/visits', valid(customerOf.rep1, { owner_id: String(await t.userId('rep3')) }) as Record<string, string>);
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-owner_id"');
    expect(Number((await t.db('visit_plans').count({ n: '*' }).first())!.n)).toBe(before);
  });
});

describe('marking a visit done', () => {
  it('needs a summary', async () => {
    const id = await createVisit(agents.rep1, 'rep1');
    const res = await postForm(agents.rep1, `/visits/${id}`, { ...valid(customerOf.rep1, { owner_id: String(await t.userId('rep1')), status: 'done' }), version: '1' } as Record<string, string>);
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-summary"');
    expect((await t.db('visit_plans').where({ id }).first()).status).toBe('planned');
  });

  it('logs a follow-up of type visit on the customer, in the same save, keeping the next follow-up', async () => {
    const next = toDbTime(new Date(Date.now() + 5 * 86400_000));
    await t.db('customers').where({ id: customerOf.rep2 }).update({ next_follow_up_at: next });
    const id = await createVisit(agents.rep2, 'rep2', { planned_at: inHours(-3) });
    const summary = '客户确认下季度续约';
    const res = await postForm(agents.rep2, `/visits/${id}`, {
      ...valid(customerOf.rep2, { owner_id: String(await t.userId('rep2')), status: 'done', summary, planned_at: inHours(-3) }),
      version: '1',
    } as Record<string, string>);
    expect(res.status).toBe(303);
    const followup = await t.db('followups').where({ customer_id: customerOf.rep2, type: 'visit' }).first();
    expect(followup.content).toBe(summary);
    const customer = await t.db('customers').where({ id: customerOf.rep2 }).first();
    expect(customer.last_contact_at).toBe(followup.occurred_at);
    expect(customer.next_follow_up_at).toBe(next);
    const timeline = await agents.rep2.get(`/customers/${customerOf.rep2}`);
    expect(timeline.text).toContain(summary);
    // Saving it again as done does not log a second one.
    const again = await postForm(agents.rep2, `/visits/${id}`, {
      ...valid(customerOf.rep2, { owner_id: String(await t.userId('rep2')), status: 'done', summary: summary + '。', planned_at: inHours(-3) }),
      version: '2',
    } as Record<string, string>);
    expect(again.status).toBe(303);
    expect(Number((await t.db('followups').where({ customer_id: customerOf.rep2, type: 'visit' }).count({ n: '*' }).first())!.n)).toBe(1);
  });
});

describe('scope (through the customer)', () => {
  it('shows a visit to whoever sees its customer, and 404 to everyone else', async () => {
    const id = await createVisit(agents.rep2, 'rep2', { purpose: 'Scope probe' });
    const expected: Record<string, number> = { admin: 200, manager1: 200, rep2: 200, rep1: 404, rep3: 404, manager2: 404 };
    for (const [user, status] of Object.entries(expected)) {
      expect((await agents[user].get(`/visits/${id}`)).status, user).toBe(status);
      expect((await agents[user].get(`/visits/${id}/edit`)).status, user).toBe(status);
      const list = await agents[user].get('/visits?q=Scope');
      expect(list.text.includes(`/visits/${id}"`), user).toBe(status === 200);
    }
    expect((await postForm(agents.rep3, `/visits/${id}`, { ...valid(customerOf.rep2), version: '1' } as Record<string, string>)).status).toBe(404);
    expect((await postForm(agents.rep3, `/visits/${id}/delete`, { version: '1' })).status).toBe(404);
  });

  it('filters by status, planned day and mine/team', async () => {
    const today = localToday(ZONE);
    const id = await createVisit(agents.rep1, 'rep1', { purpose: 'Filter today', planned_at: `${today}T23:30` });
    const team = await agents.manager1.get(`/visits?planned_from=${today}&planned_to=${today}&status=planned`);
    expect(team.text).toContain(`/visits/${id}"`);
    expect((await agents.manager1.get(`/visits?planned_from=${today}&planned_to=${today}&mine=1`)).text).not.toContain(`/visits/${id}"`);
    expect((await agents.manager1.get('/visits?status=done')).text).not.toContain(`/visits/${id}"`);
    // A rep has no team: no mine/team choice.
    expect((await agents.rep1.get('/visits')).text).not.toContain('name="mine"');
  });
});

describe('editing at once, deleting and restoring', () => {
  it('answers the later of two edits with 409, listing by label what the other saved', async () => {
    const id = await createVisit(agents.rep1, 'rep1');
    const owner = String(await t.userId('rep1'));
    const first = await postForm(agents.manager1, `/visits/${id}`, { ...valid(customerOf.rep1, { owner_id: owner, purpose: 'Manager purpose' }), version: '1' } as Record<string, string>);
    expect(first.status).toBe(303);
    const second = await postForm(agents.rep1, `/visits/${id}`, { ...valid(customerOf.rep1, { owner_id: owner, purpose: 'Rep purpose' }), version: '1' } as Record<string, string>);
    expect(second.status).toBe(409);
    expect(second.text).toContain('data-test="conflict"');
    expect(second.text).toContain('Manager purpose');
    expect(second.text).toContain('value="Rep purpose"');
    expect(second.text).toContain('name="version" value="2"');
  });

  it('deletes after asking, and a manager restores', async () => {
    const id = await createVisit(agents.rep1, 'rep1', { purpose: 'To delete' });
    const ask = await agents.rep1.get(`/visits/${id}/delete`);
    expect(ask.text).toContain('data-test="delete-question"');
    expect((await postForm(agents.rep1, `/visits/${id}/delete`, { version: '1' })).status).toBe(303);
    expect((await agents.rep1.get(`/visits/${id}`)).status).toBe(404);
    expect((await postForm(agents.rep1, `/visits/${id}/restore`, { version: '2' })).status).toBe(403);
    expect((await agents.manager1.get('/visits?deleted=1')).text).toContain(`/visits/${id}"`);
    expect((await postForm(agents.manager1, `/visits/${id}/restore`, { version: '2' })).status).toBe(303);
    expect((await agents.rep1.get(`/visits/${id}`)).status).toBe(200);
  });
});

describe('My day and the overdue job', () => {
  it('shows today\'s planned visits, and its link opens exactly those', async () => {
    const today = localToday(ZONE);
    const id = await createVisit(agents.rep3, 'rep3', { purpose: 'Visit on my day', planned_at: `${today}T23:45` });
    const day = await agents.rep3.get('/');
    expect(day.text).toContain('data-test="myday-visits"');
    expect(day.text).toContain('Visit on my day');
    const link = /data-test="myday-visits"[\s\S]*?href="([^"]+)"/.exec(day.text)![1].replace(/&amp;/g, '&');
    expect((await agents.rep3.get(link)).text).toContain(`/visits/${id}"`);
    expect((await agents.rep1.get('/')).text).not.toContain('Visit on my day');
  });

  it('marks planned visits whose time has passed, through the write path, once', async () => {
    const rep1 = (await loadActor(t.db, await t.userId('rep1')))!;
    const make = (fields: Record<string, string>) => createRecord(t.db, visits, rep1, { customer_id: String(customerOf.rep1), ...fields });
    const past = await make({ purpose: 'Missed visit', planned_at: inHours(-2) });
    const future = await make({ purpose: 'Coming visit', planned_at: inHours(2) });
    expect(await markOverdueVisits(t.db)).toBeGreaterThanOrEqual(1);
    expect(Number((await t.db('visit_plans').where({ id: past }).first()).is_overdue)).toBe(1);
    expect(Number((await t.db('visit_plans').where({ id: future }).first()).is_overdue)).toBe(0);
    const audit = await t.db('audit_log').where({ entity: 'visit_plan', entity_id: past, action: 'update' }).first();
    expect(audit.actor_id).toBeNull();
    expect(await markOverdueVisits(t.db)).toBe(0);
    // As the scheduled job, fired for one slot by two app instances at once: it runs once.
    const again = await make({ purpose: 'Missed again', planned_at: inHours(-1) });
    const slot = new Date(Math.floor(Date.now() / 300_000) * 300_000);
    await ensureLeaseRows(t.db, [overdueVisitsJob.name]);
    const outcomes = await Promise.all([runDue(t.db, overdueVisitsJob, slot, 'instance-a'), runDue(t.db, overdueVisitsJob, slot, 'instance-b')]);
    expect(outcomes.sort()).toEqual(['ran', 'taken']);
    expect(Number((await t.db('visit_plans').where({ id: again }).first()).is_overdue)).toBe(1);
    // Moved to tomorrow, it is no longer overdue.
    const owner = String(await t.userId('rep1'));
    const version = String((await t.db('visit_plans').where({ id: past }).first()).version);
    expect((await postForm(agents.rep1, `/visits/${past}`, { ...valid(customerOf.rep1, { owner_id: owner, purpose: 'Missed visit', planned_at: inHours(24) }), version } as Record<string, string>)).status).toBe(303);
    expect(Number((await t.db('visit_plans').where({ id: past }).first()).is_overdue)).toBe(0);
  });
});
