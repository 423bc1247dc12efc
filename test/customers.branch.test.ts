import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// A manager's customers are found through the owners' branch (customers.owner_branch_id), a copy
// of the owner's top-level department: it must follow every change of owner and of department.
let t: TestApp;
let admin: Agent;

beforeAll(async () => {
  t = await createTestApp({ customers: 12 });
  admin = await loginAs(t.app, 'admin');
});
afterAll(() => t.close());

const branchOf = async (customerId: number) => (await t.db('customers').where({ id: customerId }).first('owner_branch_id')).owner_branch_id;
const department = async (nameEn: string) => (await t.db('departments').where({ name_en: nameEn }).first('id')).id;
const sees = async (agent: Agent, customerId: number) => (await agent.get(`/customers/${customerId}`)).status === 200;

describe('the owner\'s branch on a customer', () => {
  it('is the top-level department of the owner, also for a rep in a sub-team', async () => {
    const east = await department('Sales East');
    const rep2 = await t.userId('rep2'); // East Team 2, under Sales East
    const customer = await t.db('customers').where({ owner_id: rep2 }).first('id');
    expect(await branchOf(customer.id)).toBe(east);
  });

  it('follows a customer handed to an owner in another branch', async () => {
    const manager1 = await loginAs(t.app, 'manager1');
    const manager2 = await loginAs(t.app, 'manager2');
    const rep1 = await t.userId('rep1');
    const customer = await t.db('customers').where({ owner_id: rep1 }).first();
    expect(await sees(manager2, customer.id)).toBe(false);
    const res = await postForm(admin, `/customers/${customer.id}`, {
      kind: customer.kind, name: customer.name, status: customer.status, owner_id: String(await t.userId('rep3')), version: String(customer.version),
    });
    expect(res.status).toBe(303);
    expect(await branchOf(customer.id)).toBe(await department('Sales North'));
    expect(await sees(manager2, customer.id)).toBe(true);
    expect(await sees(manager1, customer.id)).toBe(false);
    const list = (await manager2.get('/customers?per_page=20').set('Accept-Language', 'en')).text;
    expect(list).toContain(`/customers/${customer.id}"`);
    // The total, counted along the branch on MySQL, is every live customer of North's owners.
    const north = await t.db('users').where({ department_id: await department('Sales North') }).pluck('id');
    const live = await t.db('customers').whereIn('owner_id', north).whereNull('deleted_at').count({ n: '*' }).first();
    expect(/data-test="total">\s*([^<]*?)\s*</.exec(list)?.[1]).toMatch(new RegExp(`\\b${Number(live?.n)}\\b`));
  });

  it('follows a rep moved to another department, with all their customers', async () => {
    const manager1 = await loginAs(t.app, 'manager1');
    const manager2 = await loginAs(t.app, 'manager2');
    const rep2 = await t.userId('rep2');
    const customers: Array<{ id: number }> = await t.db('customers').where({ owner_id: rep2 }).select('id');
    expect(customers.length).toBeGreaterThan(0);
    const rep2Row = await t.db('users').where({ id: rep2 }).first();
    const res = await postForm(admin, `/admin/users/${rep2}`, {
      display_name: rep2Row.display_name, email: rep2Row.email ?? '', phone: rep2Row.phone ?? '',
      role_id: String(rep2Row.role_id), department_id: String(await department('Sales North')), version: String(rep2Row.version),
    });
    expect(res.status).toBe(303);
    for (const c of customers) {
      expect(await branchOf(c.id)).toBe(await department('Sales North'));
      expect(await sees(manager2, c.id)).toBe(true);
      expect(await sees(manager1, c.id)).toBe(false);
    }
    // The list, newest first, reads the branch's index range: it must find them there too.
    const listed = (await manager2.get(`/customers?owner_id=${rep2}&per_page=100`)).text;
    for (const c of customers) expect(listed).toContain(`href="/customers/${c.id}"`);
  });

  it('is required of every writer: a customer row without it is refused', async () => {
    const rep1 = await t.userId('rep1');
    await expect(
      t.db('customers').insert({
        kind: 'company', name: '无分支', status: 'new', owner_id: rep1, created_by: rep1, version: 1,
        created_at: '2026-01-01 00:00:00', updated_at: '2026-01-01 00:00:00',
      }),
    ).rejects.toThrow();
  });
});
