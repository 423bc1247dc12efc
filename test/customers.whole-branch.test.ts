import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../src/auth/load-actor.js';
import { ownerScope } from '../src/authz/data-scope.js';
import { createTestApp, loginAs, type TestApp } from './support/test-app.js';

// A manager heading a top-level department sees the whole branch, and the list of their customers
// in updated_at order is read by the branch alone (customersAlongBranch); a manager of a sub-team
// shares that branch but must still see only the sub-team.
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ customers: 30 });
  // rep2 (East Team 2, under Sales East) is made the sub-team's manager.
  const manager = await t.db('roles').where({ code: 'manager' }).first('id');
  await t.db('users').where({ id: await t.userId('rep2') }).update({ role_id: manager.id });
});
afterAll(() => t.close());

const listedIds = (html: string) => [...html.matchAll(/<a href="\/customers\/(\d+)">/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
const liveIdsOf = async (usernames: string[]) => {
  const owners = await Promise.all(usernames.map((u) => t.userId(u)));
  return (await t.db('customers').whereIn('owner_id', owners).whereNull('deleted_at').orderBy('id').pluck('id')).map(Number);
};

describe('a manager\'s list along the branch', () => {
  it('knows which scopes are a whole branch', async () => {
    const scopeOf = async (username: string) => ownerScope(t.db, (await loadActor(t.db, await t.userId(username)))!);
    expect(await scopeOf('manager1')).toMatchObject({ kind: 'owners', wholeBranch: true });
    expect(await scopeOf('rep2')).toMatchObject({ kind: 'owners', wholeBranch: false });
    expect(await scopeOf('rep1')).not.toHaveProperty('wholeBranch', true);
  });

  it('shows the head of the branch every customer of the branch, and the sub-team manager only the sub-team\'s', async () => {
    const head = await loginAs(t.app, 'manager1');
    const subTeam = await loginAs(t.app, 'rep2');
    const branch = await liveIdsOf(['manager1', 'rep1', 'rep2']);
    expect(branch.length).toBeGreaterThan(0);
    expect(listedIds((await head.get('/customers?per_page=100')).text)).toEqual(branch);
    const team = await liveIdsOf(['rep2']);
    expect(team.length).toBeGreaterThan(0);
    expect(listedIds((await subTeam.get('/customers?per_page=100')).text)).toEqual(team);
  });
});
