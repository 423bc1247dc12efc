import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDbTime } from '../src/db/time.js';
import { createTestApp, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

let t: TestApp;
let admin: Agent;

beforeAll(async () => {
  t = await createTestApp();
  admin = await loginAs(t.app, 'admin');
});
afterAll(() => t.close());

const stage = async (code: string) => t.db('pipeline_stages').where({ code }).first();
const codesInOrder = async () => (await t.db('pipeline_stages').orderBy([{ column: 'sort' }, { column: 'id' }])).map((s) => s.code);
const audits = (id: number) => t.db('audit_log').where({ entity: 'stage', entity_id: id }).orderBy('id');
/** The hidden version an edit form carries. */
function versionIn(html: string): string {
  const match = /name="version" value="(\d+)"/.exec(html);
  if (!match) throw new Error('No version field on the page');
  return match[1];
}
const newStage = { code: 'demo', name_zh: '演示', name_en: 'Demo', probability: '40', kind: 'open', is_active: '1' };

describe('/admin/stages access', () => {
  it('is for admins only (403 for managers and reps)', async () => {
    for (const username of ['manager1', 'rep1']) {
      const agent = await loginAs(t.app, username);
      expect((await agent.get('/admin/stages')).status).toBe(403);
      expect((await agent.get('/admin/stages/new')).status).toBe(403);
      expect((await postForm(agent, '/admin/stages', newStage)).status).toBe(403);
      const won = await stage('won');
      expect((await postForm(agent, `/admin/stages/${won.id}/deactivate`)).status).toBe(403);
    }
  });

  it('lists the seeded stages in order with their default probability', async () => {
    const res = await admin.get('/admin/stages').set('Accept-Language', 'en');
    expect(res.status).toBe(200);
    expect(await codesInOrder()).toEqual(['initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'won', 'lost']);
    const order = ['initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'won', 'lost'].map((c) => res.text.indexOf(`data-test="stage-${c}"`));
    expect(order.every((pos, i) => pos > 0 && (i === 0 || pos > order[i - 1]))).toBe(true);
    expect(res.text).toContain('70%');
  });

  it('answers 404 for a stage that does not exist', async () => {
    expect((await admin.get('/admin/stages/99999/edit')).status).toBe(404);
  });
});

describe('create and edit', () => {
  it('422 keeps typed values and names each bad field', async () => {
    const res = await postForm(admin, '/admin/stages', { ...newStage, name_zh: '', probability: '101', code: 'bad code!' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-name_zh"');
    expect(res.text).toContain('data-test="error-probability"');
    expect(res.text).toContain('data-test="error-code"');
    expect(res.text).toContain('value="Demo"');
    expect(res.text).toContain('value="101"');
  });

  it('refuses a code already taken (422)', async () => {
    const res = await postForm(admin, '/admin/stages', { ...newStage, code: 'WON' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-code"');
  });

  it('creates a stage last, audited, and edits it (303 + flash)', async () => {
    const res = await postForm(admin, '/admin/stages', newStage);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/stages');
    expect((await admin.get('/admin/stages')).text).toContain('data-test="flash"');
    const created = await stage('demo');
    expect(created).toMatchObject({ name_zh: '演示', probability: 40, kind: 'open', sort: 70 });
    expect((await audits(created.id)).map((a) => a.action)).toEqual(['create']);

    const edit = await admin.get(`/admin/stages/${created.id}/edit`);
    expect(edit.status).toBe(200);
    const saved = await postForm(admin, `/admin/stages/${created.id}`, { ...newStage, name_en: 'Demo 🙂', probability: '45', sort: '', version: '1' });
    expect(saved.status).toBe(303);
    expect(await stage('demo')).toMatchObject({ name_en: 'Demo 🙂', probability: 45, sort: 70 });
    const update = (await audits(created.id)).at(-1);
    expect(update.action).toBe('update');
    expect(JSON.parse(update.changes)).toEqual({ name_en: { before: 'Demo', after: 'Demo 🙂' }, probability: { before: 40, after: 45 } });
  });

  it('moves a stage up and down, renumbering in steps of ten', async () => {
    const demo = await stage('demo');
    expect((await postForm(admin, `/admin/stages/${demo.id}/move`, { direction: 'up' })).status).toBe(303);
    expect(await codesInOrder()).toEqual(['initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'won', 'demo', 'lost']);
    expect((await postForm(admin, `/admin/stages/${demo.id}/move`, { direction: 'down' })).status).toBe(303);
    expect(await codesInOrder()).toEqual(['initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'won', 'lost', 'demo']);
    expect((await t.db('pipeline_stages').orderBy('sort')).map((s) => s.sort)).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('409 on a stale edit: the typed values kept, nothing overwritten, saving again overwrites', async () => {
    const demo = await stage('demo');
    const form = await admin.get(`/admin/stages/${demo.id}/edit`);
    const version = versionIn(form.text);
    expect(version).toBe(String(demo.version));
    const fields = { name_zh: demo.name_zh, name_en: demo.name_en, sort: String(demo.sort), probability: String(demo.probability), kind: 'open', is_active: '1' };
    // A second tab saves first, on the same version.
    expect((await postForm(admin, `/admin/stages/${demo.id}`, { ...fields, probability: '55', version })).status).toBe(303);
    const stale = await postForm(admin, `/admin/stages/${demo.id}`, { ...fields, name_en: 'Mine 🙂', version }).set('Accept-Language', 'en');
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('data-test="conflict"');
    expect(stale.text).toContain('value="Mine 🙂"');
    expect(stale.text).toMatch(/Default probability \(%\): 55/);
    expect(await stage('demo')).toMatchObject({ name_en: demo.name_en, probability: 55, version: demo.version + 1 });
    // The form now carries the current version: saving it again is a deliberate overwrite.
    expect(versionIn(stale.text)).toBe(String(demo.version + 1));
    expect((await postForm(admin, `/admin/stages/${demo.id}`, { ...fields, name_en: 'Mine 🙂', version: versionIn(stale.text) })).status).toBe(303);
    expect(await stage('demo')).toMatchObject({ name_en: 'Mine 🙂', probability: Number(fields.probability), version: demo.version + 2 });
  });

  it('a move or a deactivation counts the version up: an edit form opened before it is a 409', async () => {
    const demo = await stage('demo');
    const version = versionIn((await admin.get(`/admin/stages/${demo.id}/edit`)).text);
    expect((await postForm(admin, `/admin/stages/${demo.id}/deactivate`)).status).toBe(303);
    expect((await postForm(admin, `/admin/stages/${demo.id}/activate`)).status).toBe(303);
    expect((await postForm(admin, `/admin/stages/${demo.id}/move`, { direction: 'up' })).status).toBe(303);
    expect((await postForm(admin, `/admin/stages/${demo.id}/move`, { direction: 'down' })).status).toBe(303);
    expect((await stage('demo')).version).toBe(Number(version) + 4);
    const fields = { name_zh: demo.name_zh, name_en: 'Stale', sort: String(demo.sort), probability: '1', kind: 'open', is_active: '1' };
    expect((await postForm(admin, `/admin/stages/${demo.id}`, { ...fields, version })).status).toBe(409);
    expect((await stage('demo')).name_en).toBe(demo.name_en);
  });
});

describe('the pipeline keeps an active won and lost stage', () => {
  it('refuses to deactivate the only won stage (422, message, nothing changed)', async () => {
    const won = await stage('won');
    const res = await postForm(admin, `/admin/stages/${won.id}/deactivate`).set('Accept-Language', 'en');
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="problem"');
    expect(res.text).toContain('won');
    expect(Boolean((await stage('won')).is_active)).toBe(true);
    expect((await audits(won.id)).length).toBe(0);
  });

  it('refuses to turn the only lost stage into an open one (422 on the form)', async () => {
    const lost = await stage('lost');
    const res = await postForm(admin, `/admin/stages/${lost.id}`, {
      name_zh: '输单', name_en: 'Lost', probability: '0', kind: 'open', is_active: '1', version: String(lost.version),
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="error-kind"');
    expect((await stage('lost')).kind).toBe('lost');
  });

  it('allows replacing the won stage: add another, then deactivate the old one', async () => {
    expect((await postForm(admin, '/admin/stages', { ...newStage, code: 'signed', name_zh: '签约', name_en: 'Signed', probability: '100', kind: 'won' })).status).toBe(303);
    const won = await stage('won');
    expect((await postForm(admin, `/admin/stages/${won.id}/deactivate`)).status).toBe(303);
    expect(Boolean((await stage('won')).is_active)).toBe(false);
    expect((await postForm(admin, `/admin/stages/${won.id}/activate`)).status).toBe(303);
    expect(Boolean((await stage('won')).is_active)).toBe(true);
  });
});

describe('delete', () => {
  it('refuses to delete a stage an opportunity uses and offers deactivation instead', async () => {
    const proposal = await stage('proposal');
    const rep1 = await t.userId('rep1');
    const customer = await t.db('customers').where('owner_id', rep1).first();
    const now = toDbTime();
    await t.db('opportunities').insert({
      customer_id: customer.id, title: 'Uses proposal', amount: '10.00', currency: 'CNY', stage_id: proposal.id, probability: 50,
      stage_entered_at: now, owner_id: rep1, created_by: rep1, version: 1, created_at: now, updated_at: now,
    });
    const page = await admin.get(`/admin/stages/${proposal.id}/delete`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-test="in-use"');
    expect(page.text).toContain('data-test="deactivate"');
    const res = await postForm(admin, `/admin/stages/${proposal.id}/delete`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('data-test="deactivate"');
    expect(await stage('proposal')).toBeDefined();
  });

  it('refuses to delete a stage named only by the stage history', async () => {
    const demo = await stage('demo');
    const opportunity = await t.db('opportunities').first();
    await t.db('opportunity_stage_history').insert({
      opportunity_id: opportunity.id, customer_id: opportunity.customer_id, from_stage_id: demo.id, to_stage_id: opportunity.stage_id,
      changed_by: opportunity.owner_id, changed_at: toDbTime(),
    });
    expect((await postForm(admin, `/admin/stages/${demo.id}/delete`)).status).toBe(409);
  });

  it('deletes an unused stage (303, audited)', async () => {
    expect((await postForm(admin, '/admin/stages', { ...newStage, code: 'unused' })).status).toBe(303);
    const unused = await stage('unused');
    expect((await admin.get(`/admin/stages/${unused.id}/delete`)).text).toContain('data-test="delete-question"');
    const res = await postForm(admin, `/admin/stages/${unused.id}/delete`);
    expect(res.status).toBe(303);
    expect(await stage('unused')).toBeUndefined();
    expect((await audits(unused.id)).map((a) => a.action)).toEqual(['create', 'delete']);
  });

  it('refuses to delete the last active lost stage even when unused (422)', async () => {
    expect((await postForm(admin, '/admin/stages', { ...newStage, code: 'dropped', name_en: 'Dropped', probability: '0', kind: 'lost' })).status).toBe(303);
    const lost = await stage('lost');
    expect((await postForm(admin, `/admin/stages/${lost.id}/deactivate`)).status).toBe(303);
    const dropped = await stage('dropped');
    const res = await postForm(admin, `/admin/stages/${dropped.id}/delete`).set('Accept-Language', 'en');
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-test="problem"');
    expect(await stage('dropped')).toBeDefined();
    expect((await postForm(admin, `/admin/stages/${lost.id}/activate`)).status).toBe(303);
  });
});
