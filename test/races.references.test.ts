import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCustomer } from './support/records.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// A record and a save that points at it, at the same moment: a category deleted while a product is
// saved into it, two categories moved under each other. Whichever goes first wins; the other gets
// its form's answer (422), never a 500, and the tree never holds an orphan or a cycle.

let t: TestApp;
let admin: Agent;
let admin2: Agent;

beforeAll(async () => {
  t = await createTestApp({ customers: 0 });
  [admin, admin2] = await Promise.all([loginAs(t.app, 'admin'), loginAs(t.app, 'admin')]);
});
afterAll(() => t.close());

async function newCategory(name: string, parentId = ''): Promise<number> {
  const res = await postForm(admin, '/products/categories', { name_zh: name, name_en: name, parent_id: parentId });
  expect(res.status).toBe(303);
  return (await t.db('product_categories').where({ name_en: name }).first('id')).id;
}

describe('categories under concurrent saves', () => {
  it('a category deleted while a product is saved into it: one wins, the other is refused, nothing orphaned', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await newCategory(`Doomed ${round}`);
      const [deleted, created] = await Promise.all([
        postForm(admin, `/products/categories/${id}/delete`),
        postForm(admin2, '/products', { name: `Racer ${round}`, code: `RACER-${round}`, unit: '台', list_price: '1', category_id: String(id), is_active: '1' }),
      ]);
      // The delete first: the product's category is gone (422). The product first: the category is in use (409).
      expect([[303, 422], [409, 303]]).toContainEqual([deleted.status, created.status]);
      const category = await t.db('product_categories').where({ id }).first('id');
      const product = await t.db('products').where({ code: `RACER-${round}` }).first('category_id');
      expect(!!category === !!product).toBe(true);
    }
  });

  it('two categories moved under each other at once never make a cycle', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await newCategory(`Left ${round}`);
      const b = await newCategory(`Right ${round}`);
      const statuses = await Promise.all([
        postForm(admin, `/products/categories/${a}`, { name_zh: `Left ${round}`, name_en: `Left ${round}`, parent_id: String(b), version: '1' }),
        postForm(admin2, `/products/categories/${b}`, { name_zh: `Right ${round}`, name_en: `Right ${round}`, parent_id: String(a), version: '1' }),
      ]);
      expect(statuses.map((r) => r.status).sort()).toEqual([303, 422]);
      const rows = await t.db('product_categories').whereIn('id', [a, b]).select('id', 'parent_id');
      expect(rows.filter((r) => r.parent_id !== null)).toHaveLength(1);
    }
  });
});

describe('pipeline stages under concurrent saves', () => {
  it('a stage deleted while an opportunity is saved into it: one wins, the other is refused, nothing points at a missing stage', async () => {
    const customerId = await insertCustomer(t, 'admin');
    for (let round = 0; round < 5; round++) {
      const code = `race_stage_${round}`;
      expect((await postForm(admin, '/admin/stages', { code, name_zh: code, name_en: code, probability: '30', kind: 'open', is_active: '1' })).status).toBe(303);
      const stage = await t.db('pipeline_stages').where({ code }).first('id');
      const [deleted, created] = await Promise.all([
        postForm(admin, `/admin/stages/${stage.id}/delete`),
        postForm(admin2, '/opportunities', { customer_id: String(customerId), title: `Stage racer ${round}`, amount: '10', currency: 'CNY', stage_id: String(stage.id) }),
      ]);
      expect([[303, 422], [409, 303]]).toContainEqual([deleted.status, created.status]);
      const kept = await t.db('pipeline_stages').where({ id: stage.id }).first('id');
      const opportunity = await t.db('opportunities').where({ title: `Stage racer ${round}` }).first('id');
      expect(!!kept === !!opportunity).toBe(true);
    }
  });

  it('the last two won stages deactivated at once: one stays active', async () => {
    const code = 'second_won';
    expect((await postForm(admin, '/admin/stages', { code, name_zh: code, name_en: code, probability: '100', kind: 'won', is_active: '1' })).status).toBe(303);
    const won = await t.db('pipeline_stages').where({ kind: 'won' }).select('id');
    expect(won).toHaveLength(2);
    const statuses = await Promise.all(won.map((s, i) => postForm(i ? admin2 : admin, `/admin/stages/${s.id}/deactivate`)));
    expect(statuses.map((r) => r.status).sort()).toEqual([303, 422]);
    expect(await t.db('pipeline_stages').where({ kind: 'won', is_active: true })).toHaveLength(1);
  });
});
