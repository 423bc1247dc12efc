import { readdirSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localeFromAcceptLanguage, translator } from '../src/i18n/i18n.js';
import { forgetReferenceData } from '../src/db/reference-cache.js';
import { fromRoot } from '../src/paths.js';
import { createTestApp, loginAs, postForm, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function keysOf(locale: string): string[] {
  const dir = fromRoot('locales', locale);
  return readdirSync(dir).flatMap((f) => Object.keys(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')))).sort();
}

describe('translations', () => {
  it('zh-CN and en have the same keys', () => {
    expect(keysOf('zh-CN')).toEqual(keysOf('en'));
  });

  it('fills parameters', () => {
    expect(translator('en')('home.greeting', { name: 'Ann' })).toBe('Hello, Ann');
    expect(translator('zh-CN')('home.greeting', { name: '安' })).toBe('你好，安');
  });

  it('picks the language from Accept-Language, Chinese by default', () => {
    expect(localeFromAcceptLanguage('en-US,en;q=0.9')).toBe('en');
    expect(localeFromAcceptLanguage('fr-FR,zh-TW;q=0.8,en;q=0.5')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('de')).toBe('zh-CN');
    expect(localeFromAcceptLanguage(undefined)).toBe('zh-CN');
  });
});

describe('language of the pages', () => {
  it('follows Accept-Language before login', async () => {
    expect((await request(t.app).get('/login').set('Accept-Language', 'en')).text).toContain('Log in');
    expect((await request(t.app).get('/login').set('Accept-Language', 'zh-CN')).text).toContain('登录');
  });

  it('switches from the navigation bar and keeps the choice on the user\'s profile', async () => {
    const agent = await loginAs(t.app, 'rep2');
    expect((await agent.get('/customers')).text).toContain('客户');
    const res = await postForm(agent, '/locale', { locale: 'en', return_to: '/customers' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/customers');
    expect((await agent.get('/customers')).text).toContain('New customer');
    expect((await t.db('users').where({ username: 'rep2' }).first()).locale).toBe('en');

    // A new session on another browser starts in the profile's language.
    const elsewhere = await loginAs(t.app, 'rep2');
    expect((await elsewhere.get('/customers').set('Accept-Language', 'zh-CN')).text).toContain('New customer');
  });

  it('shows dates in the user\'s time zone', async () => {
    const id = (await t.db('customers').where('owner_id', await t.userId('rep1')).first()).id;
    await t.db('customers').where({ id }).update({ last_contact_at: '2026-03-01 20:15:00' });
    const agent = await loginAs(t.app, 'rep1');
    const html = (await agent.get(`/customers/${id}`)).text;
    expect(html).toMatch(/2026\D03\D02\D? 04:15/); // UTC 20:15 is 04:15 next day in Asia/Shanghai
    await t.db('users').where({ username: 'rep1' }).update({ time_zone: 'Europe/London' });
    forgetReferenceData(t.db); // written behind the app's back, as a profile page will write it
    const london = (await agent.get(`/customers/${id}`)).text;
    expect(london).toMatch(/2026\D03\D01\D? 20:15/);
  });
});
