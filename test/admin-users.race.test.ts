import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// Twenty admins' browsers create the same username at the same moment: one account, and every other
// request is the form again with "username taken" (the unique key decides, never a 500).

let t: TestApp;
let admins: Agent[];

beforeAll(async () => {
  t = await createTestApp({ customers: 2 });
  admins = [];
  for (let i = 0; i < 20; i++) admins.push(await loginAs(t.app, 'admin'));
});
afterAll(() => t.close());

describe('creating one username twenty times at once', () => {
  it('makes one user; the other nineteen get 422 with the username taken', async () => {
    const role = (await t.db('roles').where({ code: 'rep' }).first('id')).id;
    const department = (await t.db('departments').where({ name_en: 'Sales North' }).first('id')).id;
    const fields = {
      username: 'samename',
      display_name: '同名',
      email: '',
      phone: '',
      role_id: role,
      department_id: department,
      password: 'first-pass-1',
      password_confirm: 'first-pass-1',
    };
    const results = await Promise.all(admins.map((admin) => postForm(admin, '/admin/users', fields).set('Accept-Language', 'en')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422)).toHaveLength(19);
    for (const res of results.filter((r) => r.status === 422)) {
      expect(res.text).toContain('data-test="error-username"');
      expect(res.text).toContain('value="samename"');
    }
    expect(await t.db('users').where({ username: 'samename' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });
});
