import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let rep1: Agent;
let manager1: Agent;

beforeAll(async () => {
  t = await createTestApp();
  rep1 = await loginAs(t.app, 'rep1');
  manager1 = await loginAs(t.app, 'manager1');
});
afterAll(() => t.close());

const auditOf = (id: number) => t.db('audit_log').where({ entity: 'customer', entity_id: id }).orderBy('id');

describe('audit trail of a customer', () => {
  let id: number;

  it('writes one row for the create, with the values set', async () => {
    const res = await postForm(rep1, '/customers', { kind: 'company', name: '审计测试公司', status: 'new', level: 'B' });
    id = Number(/\/customers\/(\d+)$/.exec(res.headers.location)![1]);
    const rows = await auditOf(id);
    expect(rows).toHaveLength(1);
    expect(rows[0].action).toBe('create');
    expect(rows[0].actor_id).toBe(await t.userId('rep1'));
    const changes = JSON.parse(rows[0].changes);
    expect(changes.name).toEqual({ before: null, after: '审计测试公司' });
    expect(changes.level).toEqual({ before: null, after: 'B' });
  });

  it('writes the changed fields only, before and after, for an update', async () => {
    await postForm(rep1, `/customers/${id}`, { kind: 'company', name: '审计测试公司', status: 'contacted', level: 'A', version: 1 });
    const rows = await auditOf(id);
    expect(rows).toHaveLength(2);
    expect(rows[1].action).toBe('update');
    expect(JSON.parse(rows[1].changes)).toEqual({
      status: { before: 'new', after: 'contacted' },
      level: { before: 'B', after: 'A' },
    });
  });

  it('writes nothing when a save changes nothing', async () => {
    await postForm(rep1, `/customers/${id}`, { kind: 'company', name: '审计测试公司', status: 'contacted', level: 'A', version: 2 });
    expect(await auditOf(id)).toHaveLength(2);
  });

  it('writes a row for the delete and for the restore', async () => {
    await postForm(rep1, `/customers/${id}/delete`);
    await postForm(manager1, `/customers/${id}/restore`);
    const rows = await auditOf(id);
    expect(rows.map((r) => r.action)).toEqual(['create', 'update', 'delete', 'restore']);
    expect(rows[3].actor_id).toBe(await t.userId('manager1'));
  });

  it('shows the history on the customer page: who changed which field, in the reader\'s words', async () => {
    const page = await rep1.get(`/customers/${id}`);
    const history = page.text.slice(page.text.indexOf('data-test="history"'));
    expect(history).toContain('王经理');
    expect(history).toContain('恢复了记录');
    expect(history).toContain('状态: <span class="text-muted">新建</span> → 已联系');
    expect(history).toContain('客户等级');
  });

  it('leaves no audit row when the change itself fails (409)', async () => {
    const before = (await auditOf(id)).length;
    const res = await postForm(rep1, `/customers/${id}`, { kind: 'company', name: 'Stale', status: 'new', version: 1 });
    expect(res.status).toBe(409);
    expect(await auditOf(id)).toHaveLength(before);
  });
});
