import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// The search box: digits search the phone, "@" the e-mail, anything else the name or the company,
// always by prefix and always inside the user's scope.
let t: TestApp;
let rep1: Agent;
let manager1: Agent;
const ids: Record<string, number> = {};

async function create(agent: Agent, fields: Record<string, string>): Promise<number> {
  const res = await postForm(agent, '/customers', { kind: 'company', status: 'new', ...fields });
  expect(res.status).toBe(303);
  return Number(/\/customers\/(\d+)$/.exec(res.headers.location)![1]);
}

function idsOn(html: string): number[] {
  return [...html.matchAll(/href="\/customers\/(\d+)"/g)].map((m) => Number(m[1]));
}

beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
  rep1 = await loginAs(t.app, 'rep1');
  manager1 = await loginAs(t.app, 'manager1');
  ids.byName = await create(rep1, { name: '星河科技', company: '' });
  ids.byCompany = await create(rep1, { kind: 'individual', name: '陈静', company: '星河贸易' });
  ids.byBoth = await create(rep1, { name: '星河物流', company: '星河物流集团' });
  ids.other = await create(rep1, { name: '银河软件', company: '银河控股', phone: '13812345678', email: 'hello@yinhe.cn' });
  ids.rep2 = await create(await loginAs(t.app, 'rep2'), { name: '星河电子', company: '' });
});
afterAll(() => t.close());

describe('search box', () => {
  it('finds a prefix of the name or of the company, each customer once, in every sort', async () => {
    for (const sort of ['name', 'updated_at', 'created_at', 'status', 'last_contact_at']) {
      for (const dir of ['asc', 'desc']) {
        const res = await rep1.get(`/customers?q=${encodeURIComponent('星河')}&sort=${sort}&dir=${dir}`);
        const found = idsOn(res.text);
        expect(found.sort((a, b) => a - b), `${sort} ${dir}`).toEqual([ids.byName, ids.byCompany, ids.byBoth].sort((a, b) => a - b));
        expect(res.text).toContain('共 3 条');
      }
    }
  });

  it('keeps the manager inside the department tree and sees the sub-team', async () => {
    const res = await manager1.get(`/customers?q=${encodeURIComponent('星河')}`);
    expect(idsOn(res.text).sort((a, b) => a - b)).toEqual([ids.byName, ids.byCompany, ids.byBoth, ids.rep2].sort((a, b) => a - b));
  });

  it('searches the phone by its first digits and the e-mail by its start', async () => {
    expect(idsOn((await rep1.get('/customers?q=138123')).text)).toEqual([ids.other]);
    expect(idsOn((await rep1.get('/customers?q=hello%40yin')).text)).toEqual([ids.other]);
    expect(idsOn((await rep1.get('/customers?q=5678')).text)).toEqual([]);
  });

  it('combines the search with a filter', async () => {
    await t.db('customers').where({ id: ids.byCompany }).update({ status: 'lost' });
    const res = await rep1.get(`/customers?q=${encodeURIComponent('星河')}&status=lost`);
    expect(idsOn(res.text)).toEqual([ids.byCompany]);
  });
});
