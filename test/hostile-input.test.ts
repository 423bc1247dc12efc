import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoutes } from './support/app-routes.js';
import { createTestApp, csrfFrom, loginAs, postForm, type Agent, type TestApp } from './support/test-app.js';

// Walks every route of the app with hostile input and fails on any 5xx. The routes come from the
// Express router stack at run time, and each POST route's fields from the forms the app itself
// renders (every form whose action is that route), so a new route or field is walked without
// touching this file. The corpus is sampled per field (cycling through it across the fields),
// not crossed, to keep the run well under a minute per database.

type Route = { method: 'get' | 'post'; path: string };
type Form = { fields: Map<string, string> };
type Failure = string;
const failure = (who: string, method: string, url: string, status: number, body = '') => `${status} ${who} ${method} ${url} ${body}`.trim();

/** Values per field and corpus; HOSTILE_DEPTH=20 walks (nearly) every value of every corpus, for a long run by hand. */
const depth = Math.max(1, Number(process.env.HOSTILE_DEPTH ?? 1) || 1);

const HOSTILE_IDS = ['0', '-1', '0x10', '1e3', 'Infinity', '99999999999999999999', ' 1', '1 ', '１', '1.0', 'NaN', '%'];

const LONG = 'x'.repeat(70_000);
const GENERIC: Array<string | string[]> = [
  '',
  ' ',
  ['1', '2'],
  ['', ''],
  LONG,
  'a\u0000b',
  '\u202Egnp.exe\u202C',
  '\u0007\u001b[31m\r\n\t',
  '😀👩‍👩‍👧‍👦🏳️‍🌈',
  '北京市朝阳区客户有限公司',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '\uFFFD\uD800',
  'null',
  'undefined',
  '[object Object]',
  '__proto__',
  'true',
];
const MONEY = [
  'NaN', 'Infinity', '-Infinity', '1e5', '1,000.00', '0x10', '１２', '１２００．５０', '¥1,200.50', '1 200', '1200.5',
  '-1', '-0.01', '0', '0.001', '9999999999999999.99', '9999999999999.99', '10000000000000', '99999999999999999999',
  '1,2,3', '1..2', '.5', '5.', '+5', '1_000', '١٢٣', '¥', '$ 5', '1.005',
];
const NUMBER = ['NaN', 'Infinity', '1e5', '0x10', '-1', '0', '１２', '1.5', '99999999999999999999', '100.001', '101', '-0', '1,000'];
const DATES = [
  '0100-01-01', '9999-12-31', '0000-00-00', '2026-02-30', '2026-13-01', '1899-12-31', '2101-01-01', '10000-01-01',
  '2026-1-1', '２０２６-０１-０１', '2026-01-01T00:00', 'today', '-2026-01-01', '2026-01-01\u0000',
];
const DATE_TIMES = [
  '0100-01-01T00:00', '9999-12-31T23:59', '0000-01-01T00:00', '2026-02-30T10:00', '2026-01-01T24:00', '2026-01-01T23:60',
  '1899-12-31T23:59', '2101-01-01T00:00', '+275760-09-13T00:00', '2026-01-01', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:99',
];
const IDS = [...HOSTILE_IDS, '4294967296', '2147483648', '9007199254740993'];

function corpusFor(field: string): Array<string | string[]> {
  const name = field.replace(/^items\[\d+\]\[(\w+)\]$/, '$1');
  if (/amount|price|cost|total/.test(name)) return MONEY;
  if (/_at$/.test(name)) return DATE_TIMES;
  if (/date|until|birthday|paid_on/.test(name)) return DATES;
  if (/(^|_)id$/.test(name) || name === 'product_ids' || name === 'version') return IDS;
  if (/quantity|percent|probability|seq|sort|days|blank/.test(name)) return NUMBER;
  return GENERIC;
}

/** Cycles through each corpus across all the fields that use it, so the whole corpus is covered. */
const cursors = new Map<unknown, number>();
function sample<T>(corpus: T[], n: number): T[] {
  const start = cursors.get(corpus) ?? 0;
  cursors.set(corpus, start + n);
  return Array.from({ length: n }, (_, i) => corpus[(start + i) % corpus.length]);
}

/** The first line of the stack trace a 500 page shows outside production: what to fix. */
const causeOf = (html: string) => decodeHtml(/<pre[^>]*>([^\n<]*)/.exec(html)?.[1] ?? '').slice(0, 200);

function encode(fields: Iterable<[string, string | string[]]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of fields) for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  return params.toString();
}

const decodeHtml = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decodeHtml(m[1]) : undefined;
};

/** The POST forms of a page: action → field → the value the page filled in. */
function formsOf(html: string): Array<[string, Form]> {
  const forms: Array<[string, Form]> = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    if ((attr(m[1], 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const action = (attr(m[1], 'action') ?? '').split('?')[0];
    const fields = new Map<string, string>();
    for (const input of m[2].matchAll(/<input\b[^>]*>/g)) {
      const name = attr(input[0], 'name');
      if (!name) continue;
      const type = attr(input[0], 'type') ?? 'text';
      if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/.test(input[0])) {
        if (!fields.has(name)) fields.set(name, '');
        continue;
      }
      if (type === 'submit' && fields.has(name)) continue;
      fields.set(name, attr(input[0], 'value') ?? '');
    }
    for (const button of m[2].matchAll(/<button\b[^>]*>/g)) {
      const name = attr(button[0], 'name');
      if (name && !fields.has(name)) fields.set(name, attr(button[0], 'value') ?? '');
    }
    for (const select of m[2].matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attr(select[1], 'name');
      if (!name) continue;
      const options = [...select[2].matchAll(/<option\b[^>]*>/g)].map((o) => o[0]);
      const chosen = options.find((o) => /\sselected\b/.test(o)) ?? options[0];
      fields.set(name, chosen ? attr(chosen, 'value') ?? '' : '');
    }
    for (const area of m[2].matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const name = attr(area[1], 'name');
      if (name) fields.set(name, decodeHtml(area[2]));
    }
    fields.delete('_csrf');
    forms.push([action, { fields }]);
  }
  return forms;
}

const routesOf = (app: Express): Route[] => appRoutes(app);

let t: TestApp;
let admin: Agent;
let rep1: Agent;
const ids: Record<string, string> = {};

/** The table whose id fills a route's `:id`, by the path before it. */
const TABLES: Array<[RegExp, string]> = [
  [/^\/admin\/users\//, 'users'],
  [/^\/admin\/stages\//, 'pipeline_stages'],
  [/^\/admin\/dictionaries\//, 'dictionaries'],
  [/^\/products\/categories\//, 'product_categories'],
  [/^\/products\//, 'products'],
  [/^\/customers\//, 'customers'],
  [/^\/contacts\//, 'contacts'],
  [/^\/opportunities\//, 'opportunities'],
  [/^\/quotes\//, 'quotes'],
  [/^\/contracts\//, 'contracts'],
];

function fill(path: string, params: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? params.id));
}

function realParams(path: string): Record<string, string> {
  const table = TABLES.find(([re]) => re.test(path))?.[1];
  return { id: (table && ids[table]) ?? '1', planId: ids.payment_plans };
}

async function versionOf(path: string, params: Record<string, string>): Promise<string | undefined> {
  const table = path.includes(':planId') ? 'payment_plans' : TABLES.find(([re]) => re.test(path))?.[1];
  if (!table || !/:\w+/.test(path)) return undefined;
  const id = path.includes(':planId') ? params.planId : params.id;
  const row = await t.db(table).where({ id }).first();
  return row?.version === undefined ? undefined : String(row.version);
}

async function createRecords(): Promise<void> {
  const rep1Id = await t.userId('rep1');
  const customer = await t.db('customers').where({ owner_id: rep1Id }).whereNull('deleted_at').orderBy('id').first('id');
  ids.customers = String(customer.id);
  ids.contacts = String((await t.db('contacts').where({ customer_id: customer.id }).first('id'))?.id ?? '');
  ids.opportunities = String((await t.db('opportunities').where({ owner_id: rep1Id }).orderBy('id').first('id')).id);
  ids.users = String(await t.userId('rep3'));
  ids.pipeline_stages = String((await t.db('pipeline_stages').orderBy('sort', 'desc').first('id')).id);
  ids.dictionaries = String((await t.db('dictionaries').orderBy('id', 'desc').first('id')).id);
  const category = await postForm(admin, '/products/categories', { name_zh: '软件', name_en: 'Software' });
  expect(category.status).toBe(303);
  ids.product_categories = String((await t.db('product_categories').orderBy('id', 'desc').first('id')).id);
  const product = await postForm(admin, '/products', { name: 'Licence', code: 'LIC-1', list_price: '100.00', is_active: '1' });
  expect(product.status).toBe(303);
  ids.products = String((await t.db('products').orderBy('id', 'desc').first('id')).id);
  const quote = await postForm(rep1, '/quotes', {
    customer_id: ids.customers, title: 'Quote', currency: 'CNY',
    'items[0][product_id]': ids.products, 'items[0][quantity]': '2', 'items[0][unit_price]': '100',
  });
  expect(quote.status).toBe(303);
  ids.quotes = String((await t.db('quotes').orderBy('id', 'desc').first('id')).id);
  const contract = await postForm(rep1, '/contracts', {
    customer_id: ids.customers, title: 'Contract', currency: 'CNY',
    'items[0][product_name]': 'Service', 'items[0][quantity]': '1', 'items[0][unit_price]': '1000',
  });
  expect(contract.status).toBe(303);
  ids.contracts = String((await t.db('contracts').orderBy('id', 'desc').first('id')).id);
  expect((await postForm(rep1, `/contracts/${ids.contracts}/plans`, { due_date: '2030-01-01', amount: '400' })).status).toBe(303);
  ids.payment_plans = String((await t.db('payment_plans').orderBy('id', 'desc').first('id')).id);
}

/** Destructive routes last, logout very last, so the records and the session live through the walk. */
function order(route: Route): number {
  if (route.path === '/logout') return 3;
  if (/\/(delete|deactivate|terminate|reject)$/.test(route.path)) return 2;
  return 1;
}

/** The forms the app renders, action → fields, found by visiting every GET page with real ids. */
async function collectForms(agent: Agent, routes: Route[]): Promise<Map<string, Form>> {
  const forms = new Map<string, Form>();
  const pages = routes.filter((r) => r.method === 'get').map((r) => fill(r.path, realParams(r.path)));
  for (const page of [...pages]) if (page.endsWith('/new')) pages.push(`${page}?customer_id=${ids.customers}`);
  pages.push(`/quotes/new?customer_id=${ids.customers}&opportunity_id=${ids.opportunities}`);
  for (const page of pages) {
    const res = await agent.get(page);
    if (res.status !== 200) continue;
    for (const [action, form] of formsOf(res.text)) {
      const known = forms.get(action);
      if (!known) forms.set(action, form);
      else for (const [name, value] of form.fields) if (!known.fields.has(name)) known.fields.set(name, value);
    }
  }
  return forms;
}

async function walk(who: string, agent: Agent, routes: Route[], perField: number): Promise<Failure[]> {
  const failures: Failure[] = [];
  const forms = await collectForms(agent, routes);
  const posts = routes.filter((r) => r.method === 'post').sort((a, b) => order(a) - order(b));
  for (const route of posts) {
    const real = realParams(route.path);
    const url = fill(route.path, real);
    const form = forms.get(url) ?? { fields: new Map<string, string>() };
    const send = async (params: Record<string, string>, fields: Array<[string, string | string[]]>, version?: string) => {
      const target = fill(route.path, params);
      const all: Array<[string, string | string[]]> = [['_csrf', agent.csrf], ...fields];
      if (version !== undefined && !fields.some(([k]) => k === 'version')) all.push(['version', version]);
      const res = await agent.post(target).type('form').send(encode(all));
      if (res.status >= 500) failures.push(failure(who, 'POST', target, res.status, `${encode(fields).slice(0, 200)} → ${causeOf(res.text)}`));
      return res.status;
    };
    const base = [...form.fields.entries()];
    // Hostile ids in every route parameter: never a 5xx, and never a record (403 or 404).
    if (/:\w+/.test(route.path)) {
      for (const hostile of HOSTILE_IDS) {
        for (const param of route.path.match(/:(\w+)/g)!.map((p) => p.slice(1))) {
          const status = await send({ ...real, [param]: hostile }, base, await versionOf(route.path, real));
          if (status !== 403 && status !== 404) {
            failures.push(failure(who, 'POST', fill(route.path, { ...real, [param]: hostile }), status));
          }
        }
      }
    }
    // Each field of the route's form, with values sampled from its corpus and the generic one.
    const fieldNames = base.length > 0 ? base.map(([k]) => k) : ['id', 'name', 'amount', 'date'];
    for (const name of fieldNames) {
      const values = [...sample(corpusFor(name), perField), ...sample(GENERIC, 1)];
      for (const value of values) {
        const fields: Array<[string, string | string[]]> = base.filter(([k]) => k !== name);
        fields.push([name, value]);
        await send(real, fields, await versionOf(route.path, real));
      }
    }
    // Everything hostile at once, and an empty body.
    await send(real, fieldNames.map((k): [string, string | string[]] => [k, sample(corpusFor(k), 1)[0]]), await versionOf(route.path, real));
    await send(real, []);
  }
  return failures;
}

/** Malformed cookies (a `lang` of `%`, a broken session) and hostile ids on every GET page. */
async function walkPages(who: string, agent: Agent | null, routes: Route[]): Promise<Failure[]> {
  const failures: Failure[] = [];
  const cookies = ['lang=%', 'lang=%E0%A4%A', 'crm.sid=%; lang=%', 'crm.sid=s%3Agarbage.sig', `crm.sid=s:${'A'.repeat(4000)}`, 'lang=__proto__'];
  const get = async (url: string, cookie?: string) => {
    const req = agent ? agent.get(url) : request(t.app).get(url);
    if (cookie) req.set('Cookie', cookie);
    const res = await req;
    if (res.status >= 500) failures.push(failure(who, 'GET', url, res.status, `${cookie ?? ''} → ${causeOf(res.text)}`));
    return res.status;
  };
  let n = 0;
  for (const route of routes.filter((r) => r.method === 'get')) {
    const url = fill(route.path, realParams(route.path));
    await get(url, cookies[n++ % cookies.length]);
    const hostile = HOSTILE_IDS[n % HOSTILE_IDS.length];
    const text = String(sample(GENERIC, 1)[0]);
    const query = new URLSearchParams({
      customer_id: hostile, opportunity_id: hostile, plan_id: hostile, owner_id: hostile, stage_id: hostile, role_id: hostile,
      category_id: hostile, page: hostile, per_page: hostile, tl_page: hostile, close_month: '0100-01',
      q: text, customer_q: text, type: text, status: text, sort: text, dir: text, next: text,
    });
    await get(`${url}?${query}`);
    if (/:\w+/.test(route.path)) {
      for (const id of HOSTILE_IDS) {
        const status = await get(fill(route.path, { ...realParams(route.path), id }));
        if (agent && status !== 403 && status !== 404) failures.push(failure(who, 'GET', fill(route.path, { id }), status));
      }
    }
  }
  return failures;
}

beforeAll(async () => {
  t = await createTestApp({ customers: 5, sales: true });
  [admin, rep1] = await Promise.all([loginAs(t.app, 'admin'), loginAs(t.app, 'rep1')]);
  await createRecords();
}, 120_000);
afterAll(() => t.close());

describe('hostile input on every route', () => {
  it('finds the POST routes in the router stack', () => {
    const posts = routesOf(t.app).filter((r) => r.method === 'post').map((r) => r.path);
    expect(posts).toEqual(expect.arrayContaining(['/customers', '/customers/:id', '/contracts/:id/plans/:planId', '/login', '/logout']));
  });

  it('never answers 5xx to malformed cookies or hostile ids on a GET page (anonymous, rep, admin)', async () => {
    const routes = routesOf(t.app);
    const failures = [
      ...(await walkPages('anonymous', null, routes)),
      ...(await walkPages('rep1', rep1, routes)),
      ...(await walkPages('admin', admin, routes)),
    ];
    expect(failures).toEqual([]);
  }, 120_000 * depth);

  it('never answers 5xx to hostile values in any POST route, as the rep and as the admin', async () => {
    const routes = routesOf(t.app);
    const anonymous = request.agent(t.app) as Agent;
    anonymous.csrf = csrfFrom((await anonymous.get('/login')).text);
    const loginRoutes = routes.filter((r) => r.path === '/login' || r.path === '/locale');
    const failures = [
      ...(await walk('anonymous', anonymous, loginRoutes, 2 * depth)),
      ...(await walk('rep1', rep1, routes, depth)),
      ...(await walk('admin', admin, routes, 2 * depth)),
    ];
    expect(failures).toEqual([]);
  }, 240_000 * depth);
});
