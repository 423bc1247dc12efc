import request from 'supertest';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDbTime } from '../src/db/time.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
const agents: Record<string, Agent> = {};
const customerOf: Record<string, number> = {};
const isMysql = () => t.db.client.config.client === 'mysql2';

/** A user whose role sees customers but may log nothing: every demo role has followups.create. */
async function createViewer(app: TestApp): Promise<void> {
  const now = toDbTime();
  const [roleId] = await app.db('roles').insert({ code: 'viewer', name_zh: '只读', name_en: 'Viewer', data_scope: 'own', created_at: now, updated_at: now });
  await app.db('role_permissions').insert({ role_id: Number(roleId), permission: 'customers.view' });
  const rep1 = await app.db('users').where({ username: 'rep1' }).first();
  const [userId] = await app.db('users').insert({
    username: 'viewer1', password_hash: rep1.password_hash, display_name: 'Viewer One', role_id: Number(roleId),
    department_id: rep1.department_id, time_zone: 'Asia/Shanghai', is_active: true, created_at: now, updated_at: now,
  });
  const [customerId] = await app.db('customers').insert({
    kind: 'company', name: 'Viewer Co', status: 'new', owner_id: Number(userId), owner_branch_id: await ownerBranchId(app.db, Number(userId)),
    created_by: rep1.id, version: 1, created_at: now, updated_at: now,
  });
  customerOf.viewer1 = Number(customerId);
}

/** A fresh customer of `username`, so each test reads its own last_contact_at and timeline. */
async function newCustomer(username: string, name = `Followup customer ${Math.random().toString(36).slice(2, 8)}`): Promise<number> {
  const owner = await t.userId(username);
  const now = toDbTime();
  const [id] = await t.db('customers').insert({
    kind: 'company', name, status: 'new', owner_id: owner, owner_branch_id: await ownerBranchId(t.db, owner), created_by: owner, version: 1,
    created_at: now, updated_at: now,
  });
  return Number(id);
}

beforeAll(async () => {
  t = await createTestApp({ customers: 24 });
  await createViewer(t);
  for (const username of ['admin', 'manager1', 'manager2', 'rep1', 'rep2', 'rep3', 'viewer1']) {
    agents[username] = await loginAs(t.app, username);
    if (!customerOf[username]) customerOf[username] = await newCustomer(username);
  }
});
afterAll(() => t.close());

const call = { type: 'call', occurred_at: '2026-03-01T09:30', content: '电话沟通了报价，客户很满意 👍', next_follow_up_at: '2026-03-08T10:00', next_action: '发送合同草稿' };

describe('logging from the customer page', () => {
  it('saves, updates the customer in the same write, audits, and redirects back with a flash', async () => {
    const id = await newCustomer('rep1');
    const before = await t.db('customers').where({ id }).first();
    const res = await postForm(agents.rep1, '/followups', { ...call, customer_id: id, from: 'customer' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/customers/${id}`);
    const followup = await t.db('followups').where({ customer_id: id }).first();
    // Typed in Asia/Shanghai (UTC+8), stored in UTC.
    expect(followup.occurred_at).toBe('2026-03-01 01:30:00');
    expect(followup.next_follow_up_at).toBe('2026-03-08 02:00:00');
    expect(followup.content).toBe(call.content);
    expect(followup.created_by).toBe(await t.userId('rep1'));
    const after = await t.db('customers').where({ id }).first();
    expect(after.last_contact_at).toBe('2026-03-01 01:30:00');
    expect(after.next_follow_up_at).toBe('2026-03-08 02:00:00');
    expect(after.version).toBe(before.version);
    expect(after.updated_at >= before.updated_at).toBe(true);
    const audit = await t.db('audit_log').where({ entity: 'followup', entity_id: followup.id, action: 'create' }).first();
    expect(JSON.parse(audit.changes).content.after).toBe(call.content);
    const page = await agents.rep1.get(`/customers/${id}`);
    expect(page.text).toContain('data-test="flash"');
    expect(page.text).toContain('电话沟通了报价，客户很满意 👍');
    expect(page.text).toContain('发送合同草稿');
  });

  it('keeps the later last contact, and a follow-up without a next time clears next_follow_up_at', async () => {
    const id = await newCustomer('rep1');
    await postForm(agents.rep1, '/followups', { ...call, customer_id: id, from: 'customer' });
    const res = await postForm(agents.rep1, '/followups', { ...call, occurred_at: '2026-02-01T09:00', next_follow_up_at: '', customer_id: id, from: 'customer' });
    expect(res.status).toBe(303);
    const row = await t.db('customers').where({ id }).first();
    expect(row.last_contact_at).toBe('2026-03-01 01:30:00');
    expect(row.next_follow_up_at).toBeNull();
    await postForm(agents.rep1, '/followups', { ...call, occurred_at: '2026-04-01T09:00', customer_id: id, from: 'customer' });
    expect((await t.db('customers').where({ id }).first()).last_contact_at).toBe('2026-04-01 01:00:00');
  });

  it('defaults the time to now when left empty', async () => {
    const id = await newCustomer('rep1');
    const before = toDbTime();
    await postForm(agents.rep1, '/followups', { ...call, occurred_at: '', customer_id: id, from: 'customer' });
    const followup = await t.db('followups').where({ customer_id: id }).first();
    expect(followup.occurred_at >= before).toBe(true);
    expect(followup.occurred_at <= toDbTime()).toBe(true);
    // The form itself starts at now in the user's zone.
    const page = await agents.rep1.get(`/customers/${id}`);
    expect(page.text).toMatch(/name="occurred_at" type="datetime-local" value="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"/);
  });

  it('answers 422 on the customer page itself, with the errors and every typed value', async () => {
    const id = await newCustomer('rep1', '错误表单客户');
    const res = await postForm(agents.rep1, '/followups', {
      customer_id: id, from: 'customer', type: 'call', occurred_at: 'yesterday', content: '  ', next_action: '再打一次 ☎️',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="customer-name"');
    expect(res.text).toContain('错误表单客户');
    expect(res.text).toContain('data-test="timeline"');
    for (const f of ['occurred_at', 'content']) expect(res.text).toContain(`data-test="error-${f}"`);
    expect(res.text).toContain('value="yesterday"');
    expect(res.text).toContain('value="再打一次 ☎️"');
    expect(await t.db('followups').where({ customer_id: id }).first()).toBeUndefined();
  });

  it('refuses a day the calendar does not have and a time still to come (422), keeping what was typed', async () => {
    const id = await newCustomer('rep1', '日期校验客户');
    const impossible = await postForm(agents.rep1, '/followups', { ...call, occurred_at: '2026-02-31T10:00', customer_id: id, from: 'customer' });
    expect(impossible.status).toBe(422);
    expect(impossible.text).toContain('data-test="error-occurred_at"');
    expect(impossible.text).toContain('value="2026-02-31T10:00"');
    const badNext = await postForm(agents.rep1, '/followups', { ...call, next_follow_up_at: '2026-04-31T25:00', customer_id: id, from: 'customer' });
    expect(badNext.status).toBe(422);
    expect(badNext.text).toContain('data-test="error-next_follow_up_at"');
    const future = await postForm(agents.rep1, '/followups', { ...call, occurred_at: '2099-01-01T09:00', customer_id: id, from: 'customer' });
    expect(future.status).toBe(422);
    expect(future.text).toContain('data-test="error-occurred_at"');
    expect(future.text).toContain('value="2099-01-01T09:00"');
    expect(future.text).toContain(call.content);
    expect(await t.db('followups').where({ customer_id: id }).first()).toBeUndefined();
    expect((await t.db('customers').where({ id }).first()).last_contact_at).toBeNull();
  });

  it('offers only this customer\'s contacts and live opportunities, and refuses others (422)', async () => {
    const id = await newCustomer('rep1');
    const other = await newCustomer('rep1');
    const now = toDbTime();
    const rep1 = await t.userId('rep1');
    const contact = async (customerId: number, name: string) =>
      Number((await t.db('contacts').insert({ customer_id: customerId, name, created_by: rep1, version: 1, created_at: now, updated_at: now }))[0]);
    const own = await contact(id, '本客户联系人');
    const foreign = await contact(other, '别家联系人');
    const stage = (await t.db('pipeline_stages').orderBy('sort').first('id')).id;
    const opportunity = async (customerId: number, title: string, deleted = false) =>
      Number((await t.db('opportunities').insert({
        customer_id: customerId, title, stage_id: stage, stage_entered_at: now, owner_id: rep1, created_by: rep1,
        deleted_at: deleted ? now : null, created_at: now, updated_at: now,
      }))[0]);
    const live = await opportunity(id, '活跃商机');
    const gone = await opportunity(id, '已删除商机', true);
    const foreignOpp = await opportunity(other, '别家商机');

    const form = await agents.rep1.get(`/followups/new?customer_id=${id}`);
    expect(form.text).toContain(`value="${own}"`);
    expect(form.text).not.toContain('别家联系人');
    expect(form.text).toContain('活跃商机');
    expect(form.text).not.toContain('已删除商机');
    expect(form.text).not.toContain('别家商机');

    const refused: Array<Record<string, string | number>> = [{ type: 'telepathy' }, { contact_id: foreign }, { opportunity_id: foreignOpp }, { opportunity_id: gone }, { contact_id: 'x' }];
    for (const fields of refused) {
      const res = await postForm(agents.rep1, '/followups', { ...call, customer_id: id, ...fields });
      expect(res.status).toBe(422);
      expect(res.text).toContain(`data-test="error-${Object.keys(fields)[0]}"`);
      // Sent from /followups/new, it comes back to that form.
      expect(res.text).toContain('data-test="followup-customer"');
    }
    const ok = await postForm(agents.rep1, '/followups', { ...call, customer_id: id, contact_id: own, opportunity_id: live, from: 'customer' });
    expect(ok.status).toBe(303);
    const saved = await t.db('followups').where({ customer_id: id }).first();
    expect([saved.contact_id, saved.opportunity_id]).toEqual([own, live]);
    const page = await agents.rep1.get(`/customers/${id}`);
    expect(page.text).toContain('本客户联系人');
    expect(page.text).toContain('活跃商机');
  });
});

describe('atomicity', () => {
  it('leaves the customer unchanged and no follow-up behind when the audit row cannot be written', async () => {
    const id = await newCustomer('rep1');
    await postForm(agents.rep1, '/followups', { ...call, customer_id: id });
    const before = await t.db('customers').where({ id }).first();
    const count = async () => Number((await t.db('followups').where({ customer_id: id }).count({ n: '*' }).first())!.n);
    const followupsBefore = await count();
    // The audit insert, the last statement of the transaction, fails inside the database.
    await t.db.raw(
      isMysql()
        ? "create trigger fail_followup_audit before insert on audit_log for each row begin if new.entity = 'followup' then signal sqlstate '45000' set message_text = 'audit unavailable'; end if; end"
        : "create trigger fail_followup_audit before insert on audit_log when new.entity = 'followup' begin select raise(abort, 'audit unavailable'); end",
    );
    try {
      const res = await postForm(agents.rep1, '/followups', {
        ...call, occurred_at: '2026-06-01T09:00', next_follow_up_at: '2026-06-10T09:00', customer_id: id, from: 'customer',
      });
      expect(res.status).toBe(500);
    } finally {
      await t.db.raw('drop trigger fail_followup_audit');
    }
    const after = await t.db('customers').where({ id }).first();
    expect(after.last_contact_at).toBe(before.last_contact_at);
    expect(after.next_follow_up_at).toBe(before.next_follow_up_at);
    expect(after.updated_at).toBe(before.updated_at);
    expect(await count()).toBe(followupsBefore);
    // And it works again once the audit can be written.
    expect((await postForm(agents.rep1, '/followups', { ...call, occurred_at: '2026-06-01T09:00', customer_id: id })).status).toBe(303);
    expect((await t.db('customers').where({ id }).first()).last_contact_at).toBe('2026-06-01 01:00:00');
  });
});

describe('/followups/new', () => {
  it('without a customer offers a search over the customers in scope, by name prefix', async () => {
    const mine = await newCustomer('rep1', '琥珀科技🧡有限公司');
    const theirs = await newCustomer('rep3', '琥珀贸易');
    const empty = await agents.rep1.get('/followups/new');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('data-test="customer-search"');
    const res = await agents.rep1.get(`/followups/new?q=${encodeURIComponent('琥珀')}`);
    expect(res.text).toContain(`href="/followups/new?customer_id=${mine}"`);
    expect(res.text).not.toContain(`customer_id=${theirs}"`);
    expect((await agents.rep1.get(`/followups/new?q=${encodeURIComponent('科技')}`)).text).not.toContain(`customer_id=${mine}"`);
    const form = await agents.rep1.get(`/followups/new?customer_id=${mine}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('data-test="followup-form"');
    expect(form.text).toContain('琥珀科技🧡有限公司');
  });

  it('logs from the page and sends the user to the customer', async () => {
    const id = await newCustomer('rep2');
    const res = await postForm(agents.rep2, '/followups', { ...call, type: 'visit', customer_id: id });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/customers/${id}`);
  });
});

describe('scope', () => {
  const cases: Array<[viewer: string, owner: string, visible: boolean]> = [
    ['rep1', 'rep1', true],
    ['rep3', 'rep1', false],
    ['manager1', 'rep2', true],
    ['manager2', 'rep2', false],
    ['admin', 'rep3', true],
  ];

  it.each(cases)('%s on a customer of %s', async (viewer, owner, visible) => {
    const name = `Scoped ${viewer} ${owner}`;
    const id = await newCustomer(owner, name);
    await postForm(agents[owner], '/followups', { ...call, content: `内容 ${name}`, customer_id: id });
    const agent = agents[viewer];
    expect((await agent.get(`/followups/new?customer_id=${id}`)).status).toBe(visible ? 200 : 404);
    const list = await agent.get(`/followups?q=${encodeURIComponent(name)}`);
    expect(list.status).toBe(200);
    expect(list.text.includes(`内容 ${name}`)).toBe(visible);
    const before = await t.db('customers').where({ id }).first();
    const res = await postForm(agent, '/followups', { ...call, occurred_at: '2026-09-09T09:09', customer_id: id, from: 'customer' });
    expect(res.status).toBe(visible ? 303 : 404);
    if (!visible) {
      const after = await t.db('customers').where({ id }).first();
      expect(after.last_contact_at).toBe(before.last_contact_at);
      expect(Number((await t.db('followups').where({ customer_id: id }).count({ n: '*' }).first())!.n)).toBe(1);
    }
  });

  it('hides the follow-ups of a deleted customer and refuses to log on it', async () => {
    const id = await newCustomer('rep1', 'Soon deleted');
    await postForm(agents.rep1, '/followups', { ...call, content: 'Before deletion', customer_id: id });
    await t.db('customers').where({ id }).update({ deleted_at: toDbTime() });
    expect((await agents.rep1.get('/followups?q=Soon')).text).not.toContain('Before deletion');
    expect((await postForm(agents.rep1, '/followups', { ...call, customer_id: id })).status).toBe(404);
    expect((await postForm(agents.rep1, '/followups', { ...call })).status).toBe(404);
  });
});

describe('permissions', () => {
  it('lets a user without followups.create see follow-ups but not log them (403)', async () => {
    const id = customerOf.viewer1;
    await postForm(agents.admin, '/followups', { ...call, content: 'Logged by admin for viewer', customer_id: id });
    const viewer = agents.viewer1;
    const list = await viewer.get('/followups');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Logged by admin for viewer');
    expect((await viewer.get('/followups/new')).status).toBe(403);
    expect((await viewer.get(`/followups/new?customer_id=${id}`)).status).toBe(403);
    expect((await postForm(viewer, '/followups', { ...call, customer_id: id })).status).toBe(403);
    const page = await viewer.get(`/customers/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('data-test="followup-form"');
    expect(page.text).toContain('Logged by admin for viewer');
  });

  it('sends anonymous visitors to the login page', async () => {
    const res = await request(t.app).get('/followups');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/login');
  });
});

describe('the /followups list', () => {
  it('is newest first, filters by type and by customer name prefix, and pages', async () => {
    const id = await newCustomer('rep3', '列表测试客户');
    for (const [n, type] of ['call', 'visit', 'call', 'email'].entries()) {
      await postForm(agents.rep3, '/followups', { ...call, type, content: `List entry ${n}`, occurred_at: `2026-05-0${n + 1}T10:00`, customer_id: id });
    }
    const all = await agents.rep3.get(`/followups?q=${encodeURIComponent('列表测试')}`);
    expect([...all.text.matchAll(/List entry (\d)/g)].map((m) => m[1])).toEqual(['3', '2', '1', '0']);
    const calls = await agents.rep3.get(`/followups?q=${encodeURIComponent('列表测试')}&type=call`);
    expect([...calls.text.matchAll(/List entry (\d)/g)].map((m) => m[1])).toEqual(['2', '0']);
    const none = await agents.rep3.get(`/followups?q=${encodeURIComponent('测试')}`);
    expect(none.text).not.toContain('List entry');
    const total = Number((await t.db('followups').join('customers', 'customers.id', 'followups.customer_id').where('customers.owner_id', await t.userId('rep3')).whereNull('customers.deleted_at').count({ n: '*' }).first())!.n);
    const first = await agents.rep3.get('/followups?per_page=20');
    expect(first.text).toContain(`共 ${total} 条`);
    expect((first.text.match(/data-test="followup-row"/g) ?? []).length).toBe(Math.min(20, total));
  });

  it("lists the admin's and a rep's follow-ups newest first, page after page, without a deleted customer's", async () => {
    const gone = await newCustomer('rep1', 'Deleted before listing');
    await postForm(agents.rep1, '/followups', { ...call, content: 'Of a deleted customer', occurred_at: '2026-06-01T10:00', customer_id: gone });
    await t.db('customers').where({ id: gone }).update({ deleted_at: toDbTime() });
    const expected = async (ownerId?: number) => {
      const query = t.db('followups').join('customers', 'customers.id', 'followups.customer_id').whereNull('customers.deleted_at');
      if (ownerId) query.where('customers.owner_id', ownerId);
      return (await query.orderBy([{ column: 'followups.occurred_at', order: 'desc' }, { column: 'followups.id', order: 'desc' }]).pluck('followups.id')).map(Number);
    };
    const listed = async (agent: Agent, pages: number) => {
      const ids: number[] = [];
      for (let page = 1; page <= pages; page++) {
        const html = (await agent.get(`/followups?page=${page}&per_page=20`)).text;
        ids.push(...[...html.matchAll(/data-followup="(\d+)"/g)].map((m) => Number(m[1])));
      }
      return ids;
    };
    // The admin's list walks every follow-up newest first; a rep's sorts the rep's own.
    expect(await listed(agents.admin, 2)).toEqual((await expected()).slice(0, 40));
    const rep1 = await t.userId('rep1');
    expect(await listed(agents.rep1, 2)).toEqual((await expected(rep1)).slice(0, 40));
    expect((await agents.admin.get('/followups?q=Deleted')).text).not.toContain('Of a deleted customer');
  });

  it('round-trips Chinese and emoji', async () => {
    const id = await newCustomer('rep2');
    const content = '客户说：“下周再联系。” 🚀🐉 עברית\n第二行';
    await postForm(agents.rep2, '/followups', { ...call, content, next_action: '准备样品 📦', customer_id: id });
    const row = await t.db('followups').where({ customer_id: id }).first();
    expect(row.content).toBe(content);
    expect(row.next_action).toBe('准备样品 📦');
    const list = await agents.rep2.get('/followups');
    expect(list.text).toContain('客户说：“下周再联系。” 🚀🐉');
  });
});
