import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atOnce } from './support/records.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// Twenty saves of one unique value at once: one is stored, the others get the form's 422 saying the
// value is taken (the check before the write passes for all of them; the unique key decides).

let t: TestApp;
const admins: Agent[] = [];

beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
  for (let i = 0; i < 20; i++) admins.push(await loginAs(t.app, 'admin'));
});
afterAll(() => t.close());

async function race(url: string, fields: Record<string, string>, stored: () => Promise<unknown[]>) {
  const statuses = await atOnce(20, (i) => postForm(admins[i], url, fields));
  expect(statuses.filter((s) => s === 303)).toHaveLength(1);
  expect(statuses.filter((s) => s !== 303)).toEqual(Array(19).fill(422));
  expect(await stored()).toHaveLength(1);
}

describe('one unique value saved twenty times at once', () => {
  it('a dictionary code', () =>
    race('/admin/dictionaries', { type: 'industry', code: 'race_code', label_zh: '竞速', label_en: 'Race', is_active: '1' }, () =>
      t.db('dictionaries').where({ type: 'industry', code: 'race_code' }),
    ));

  it('a pipeline stage code', () =>
    race('/admin/stages', { code: 'race_stage', name_zh: '竞速', name_en: 'Race', probability: '40', kind: 'open', is_active: '1' }, () =>
      t.db('pipeline_stages').where({ code: 'race_stage' }),
    ));

  it('a product code', () =>
    race('/products', { name: 'Race router', code: 'RACE-1', unit: '台', list_price: '10', is_active: '1' }, () => t.db('products').where({ code: 'RACE-1' })));
});
