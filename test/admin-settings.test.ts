import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let admin: Agent;

beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
  admin = await loginAs(t.app, 'admin');
});
afterAll(() => t.close());

const versionOn = (html: string) => /name="version" value="([^"]*)"/.exec(html)![1];
const stored = async () => (await t.db('settings').where({ key: 'stale_customer_days' }).first()).value;

describe('/admin/settings', () => {
  it('is the admin\'s alone', async () => {
    for (const username of ['manager1', 'rep1']) {
      const agent = await loginAs(t.app, username);
      expect((await agent.get('/admin/settings')).status).toBe(403);
      expect((await postForm(agent, '/admin/settings', { stale_customer_days: '5', version: 'x' })).status).toBe(403);
    }
    expect(await stored()).toBe('30');
  });

  it('saves the days of My day\'s "not contacted" list, audits it, and My day uses it at once', async () => {
    const page = await admin.get('/admin/settings');
    expect(page.status).toBe(200);
    const res = await postForm(admin, '/admin/settings', { stale_customer_days: '14', version: versionOn(page.text) });
    expect(res.status).toBe(303);
    expect(await stored()).toBe('14');
    const audit = await t.db('audit_log').where({ entity: 'setting' }).orderBy('id', 'desc').first();
    expect(JSON.parse(audit.changes)).toEqual({ stale_customer_days: { before: 30, after: 14 } });
    const rep1 = await loginAs(t.app, 'rep1');
    expect((await rep1.get('/').set('Accept-Language', 'en')).text).toContain('Not contacted for 14 days');
  });

  it('answers 422 with the typed value for anything but 1 to 365 whole days', async () => {
    const version = versionOn((await admin.get('/admin/settings')).text);
    for (const typed of ['0', '366', '2.5', 'abc', '']) {
      const res = await postForm(admin, '/admin/settings', { stale_customer_days: typed, version });
      expect(res.status, typed).toBe(422);
      expect(res.text).toContain('data-test="error-stale_customer_days"');
      expect(res.text).toContain(`value="${typed}"`);
    }
    expect(await stored()).toBe('14');
  });

  it('answers 409 to a form opened before someone else saved, keeping the typed value', async () => {
    const stale = versionOn((await admin.get('/admin/settings')).text);
    expect((await postForm(admin, '/admin/settings', { stale_customer_days: '20', version: stale })).status).toBe(303);
    const res = await postForm(admin, '/admin/settings', { stale_customer_days: '25', version: stale });
    expect(res.status).toBe(409);
    expect(res.text).toContain('value="25"');
    expect(await stored()).toBe('20');
    expect((await postForm(admin, '/admin/settings', { stale_customer_days: '25', version: versionOn(res.text) })).status).toBe(303);
    expect(await stored()).toBe('25');
  });
});
