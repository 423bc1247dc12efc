import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../seeds/demo-directory.js';
import {
  DEMO_USERS,
  IN_SCOPE_OWNER,
  OUT_OF_SCOPE_OWNER,
  ROLE_OF,
  ROLE_PERMISSIONS,
  VISIBLE_OWNERS,
  canaryOwners,
  expectedStatus,
  leakedOwners,
  may,
  sees,
  type Access,
  type DemoUser,
  type PermissionKey,
  type Scope,
} from './support/authz-oracle.js';
import { day, describeResponse, expectRedirect, localTime, matrixRecords, type OwnerRecords, type Stages } from './support/matrix-records.js';
import { appRoutes } from './support/app-routes.js';
import { createTestApp, csrfFrom, loginAs, postForm, type Agent } from './support/test-app.js';

// The authorization matrix (docs/kernel-design.md, "The authorization matrix test"): every route of
// the app × every demo user × (a record in scope, one out of scope, where the route acts on a
// record) × its method, against an oracle that does not use the app's code (support/authz-oracle.ts).
// No permission: 403. A record out of scope: 404. Otherwise 200 for a GET, 303 for a POST with a
// valid CSRF token and a valid body; any other answer is written in the fixture with its reason. A
// visitor who is not logged in is sent to /login. Where a request names a second record (a plan of
// the contract, the opportunity a quote is for), a record in scope naming the admin's record on the
// same customer is refused too. A refused POST must leave every table as it was.
//
// Every record belongs to a demo user and carries that user's canary (`CANARY-<owner>-<run>`) in
// its name; every response of the matrix, every list and search, and every form with pickers must
// show no canary of an owner outside the user's scope, and offer no such record in a <select>.
//
// A route the fixture map below does not name fails: a new route needs its fixture (the permission
// it asks, the record it acts on, a valid body) before it can be merged. Sequential on purpose:
// cases share records and sessions; the whole file runs in about half a minute on SQLite.

type Route = { method: 'get' | 'post'; path: string };

/** Every route of the app, from its router stack (support/app-routes.ts); the kernel's routeTable() once every object is on it. */
const routeTable = (app: Express): Route[] => appRoutes(app);

const keyOf = (route: Route) => `${route.method.toUpperCase()} ${route.path}`;

type Actor = DemoUser | 'anonymous';
/** One cell of the matrix: who acts, on whose record (the actor's own when the route has none). */
type Case = { actor: Actor; scope: Scope; owner: DemoUser };
type Req = {
  url: string;
  body?: Record<string, string | number>;
  /** Puts back what a successful request changed that later cases rely on. */
  after?: () => Promise<void>;
};
type Fixture = {
  access: Access;
  /** `owned`: the route acts on a record with an owner (by :id, or the customer a form names): in- and out-of-scope cases. */
  record?: 'owned';
  req: (c: Case) => Req | Promise<Req>;
  /** The answer to an allowed request when it is not 200 (GET) / 303 (POST), and why. */
  ok?: number;
  why?: string;
  /** The answer for a record out of scope when it is not 404, and why. */
  outOfScope?: number;
  outWhy?: string;
  /**
   * An extra case for users who see the record but not every record the request names (the admin's
   * opportunity, quote or plan on the same customer): the request `req` makes and the refusal expected.
   */
  foreign?: { req: (c: Case) => Req | Promise<Req>; status: number; why: string };
  /**
   * An extra case for users with an out-of-scope neighbour: the record saved with that neighbour as
   * its owner (`owner_id`), remarked `Matrix assign by <user>` ("after the matrix" checks the owners).
   */
  assign?: (c: Case) => Req | Promise<Req>;
  /** Public routes: the answer for a visitor who is not logged in, when not `ok`. */
  anonymous?: number;
  /** `throwaway`: the user's own new session (logout ends it); `anonymous`: a new visitor's (the login form). */
  session?: 'throwaway' | 'anonymous';
};

// The app and its route list are needed while the tests are collected: one test per route and case.
const t = await createTestApp({ customers: 6 });
const ROUTES = routeTable(t.app);
const RUN = Math.random().toString(36).slice(2, 8);

const agents = {} as Record<DemoUser, Agent>;
let anonymous: Agent;
let records: Record<DemoUser, OwnerRecords>;
let stages: Stages;
const userIds = {} as Record<DemoUser, number>;
const globals = { product: 0, category: 0, stage: 0, dictionary: 0, user: 0, repRole: 0 };
let make: ReturnType<typeof matrixRecords>;
let seq = 0;
const n = () => `${RUN}${++seq}`;

const rec = (c: Case) => records[c.owner];
const allowed = (c: Case, permission: PermissionKey) => c.actor !== 'anonymous' && may(c.actor, permission);
/** The admin's records on the case owner's customer: out of scope for everyone but the admin. */
const theirs = (c: Case) => records[c.owner].admin!;
/**
 * A body's text: the record's own when the request should pass (its canary stays), an intruder's mark
 * when it should be refused, so that a refusal that saved anything shows (see "after the matrix").
 */
const text = (c: Case, current: string) => (c.scope === 'out' || c.scope === 'foreign' ? `Matrix hijack by ${c.actor}` : current);
/** The owner field and remark of an `assign` case: the user's out-of-scope neighbour. */
const assigned = (c: Case) => ({ owner_id: userIds[OUT_OF_SCOPE_OWNER[c.actor as DemoUser]!], remark: `Matrix assign by ${c.actor}` });
const row = (table: string, id: number | null) => t.db(table).where({ id }).first();

async function anonymousAgent(): Promise<Agent> {
  const agent = request.agent(t.app) as Agent;
  agent.csrf = csrfFrom((await agent.get('/login')).text);
  return agent;
}

// Records of the admin pages, made by the admin (no owner: every admin case is "in scope").
const adminMake = {
  async product(fields: Record<string, string> = { is_active: '1' }): Promise<number> {
    const location = await expectRedirect(
      postForm(agents.admin, '/products', { name: `Matrix product ${n()}`, code: `MX-${n()}`, list_price: '100.00', ...fields }),
      'admin creates a product',
    );
    return Number(/^\/products\/(\d+)$/.exec(location)![1]);
  },
  async category(): Promise<number> {
    const name = `Matrix ${n()}`;
    await expectRedirect(postForm(agents.admin, '/products/categories', { name_zh: `矩阵 ${name}`, name_en: name }), 'admin adds a category');
    return (await t.db('product_categories').where({ name_en: name }).first('id')).id;
  },
  async stage(active = true): Promise<number> {
    const code = `matrix_${n()}`;
    await expectRedirect(
      postForm(agents.admin, '/admin/stages', {
        code, name_zh: `矩阵 ${code}`, name_en: `Matrix ${code}`, probability: '20', kind: 'open', ...(active ? { is_active: '1' } : {}),
      }),
      'admin adds a stage',
    );
    return (await t.db('pipeline_stages').where({ code }).first('id')).id;
  },
  async dictionary(active = true): Promise<number> {
    const code = `matrix_${n()}`;
    await expectRedirect(
      postForm(agents.admin, '/admin/dictionaries', {
        type: 'industry', code, label_zh: `矩阵 ${code}`, label_en: `Matrix ${code}`, ...(active ? { is_active: '1' } : {}),
      }),
      'admin adds a dictionary value',
    );
    return (await t.db('dictionaries').where({ type: 'industry', code }).first('id')).id;
  },
  async user(): Promise<number> {
    const username = `matrix-${n()}`;
    await expectRedirect(
      postForm(agents.admin, '/admin/users', {
        username, display_name: `Matrix ${username}`, role_id: globals.repRole, password: 'matrix-pass', password_confirm: 'matrix-pass',
      }),
      'admin adds a user',
    );
    return (await t.db('users').where({ username }).first('id')).id;
  },
  async inactiveUser(): Promise<number> {
    const id = await adminMake.user();
    await expectRedirect(postForm(agents.admin, `/admin/users/${id}/deactivate`), 'admin deactivates a user');
    return id;
  },
};

const items = { 'items[0][product_name]': 'Service', 'items[0][quantity]': '1', 'items[0][unit_price]': '1000' };
const NEW_PASSWORD = 'matrix-password-2';
const NOT_A_CHOICE = 'a record out of scope named in a form field is refused as a wrong choice (422)';
const OUT_OF_SCOPE_CHOICE =
  'the customer is a field of the form: one out of scope is refused as a wrong choice (422, shown as for a customer that does not exist), not 404';

const ANOTHER_PLAN = "the contract is in scope, the plan is another contract's (the admin's): a plan that does not exist here";

async function quoteEdit(c: Case, opportunityId: (quote: { opportunity_id: number | null }) => number | string): Promise<Req> {
  const quote = await row('quotes', rec(c).quote);
  return {
    url: `/quotes/${quote.id}`,
    body: {
      version: quote.version, customer_id: quote.customer_id, opportunity_id: opportunityId(quote), title: text(c, quote.title), currency: 'CNY',
      ...items,
    },
  };
}

async function customerEdit(c: Case, extra: Record<string, string | number>): Promise<Req> {
  const customer = await row('customers', rec(c).customer);
  return {
    url: `/customers/${customer.id}`,
    body: {
      version: customer.version, kind: 'company', name: text(c, customer.name), status: 'new', remark: `Edited by ${c.actor}`,
      next_follow_up_at: localTime(-1), ...extra,
    },
  };
}

async function opportunityEdit(c: Case, extra: Record<string, string | number>): Promise<Req> {
  const opportunity = await row('opportunities', rec(c).opportunity);
  return {
    url: `/opportunities/${opportunity.id}`,
    body: {
      version: opportunity.version, title: text(c, opportunity.title), amount: String(opportunity.amount), currency: 'CNY',
      stage_id: opportunity.stage_id, expected_close_date: day(10), remark: `Edited by ${c.actor}`, ...extra,
    },
  };
}

async function contractEdit(c: Case, links: Record<string, string | number>): Promise<Req> {
  const contract = await row('contracts', rec(c).contract);
  return {
    url: `/contracts/${contract.id}`,
    body: { version: contract.version, customer_id: contract.customer_id, title: text(c, contract.title), currency: 'CNY', ...items, ...links },
  };
}

async function planEdit(c: Case, planId: number): Promise<Req> {
  const plan = await row('payment_plans', planId);
  return {
    url: `/contracts/${rec(c).contract}/plans/${plan.id}`,
    body: { version: plan.version, seq: plan.seq, due_date: day(3), amount: String(plan.amount), remark: text(c, plan.remark) },
  };
}

const payment = (c: Case, planId: number): Req => ({
  url: `/contracts/${rec(c).approved}/payments`,
  body: { plan_id: planId, amount: '1.00', paid_on: day(-1), method: 'bank_transfer', reference: `Paid to ${c.actor}` },
});

const get = (access: Access, url: string, extra: Partial<Fixture> = {}): Fixture => ({ access, req: () => ({ url }), ...extra });
const owned = (access: Access, req: Fixture['req'], extra: Partial<Fixture> = {}): Fixture => ({ access, record: 'owned', req, ...extra });
const shared = (access: Access, req: Fixture['req'], extra: Partial<Fixture> = {}): Fixture => ({ access, req, ...extra });

/** Route (method and path as Express has it) → what it needs and how to call it. */
const FIXTURES: Record<string, Fixture> = {
  // Public: answered to anyone.
  'GET /healthz': get('public', '/healthz'),
  'GET /readyz': get('public', '/readyz'),
  'GET /login': get('public', '/login', { ok: 303, why: 'a user already logged in is sent on to My day', anonymous: 200 }),
  'POST /login': {
    access: 'public',
    session: 'anonymous',
    req: (c) => ({
      url: '/login',
      body: c.actor === 'anonymous' ? { username: 'matrix-nobody', password: 'not-a-password' } : { username: c.actor, password: DEMO_PASSWORD },
    }),
    anonymous: 401,
  },
  'POST /logout': { access: 'public', session: 'throwaway', req: () => ({ url: '/logout' }) },
  'POST /locale': { access: 'public', req: () => ({ url: '/locale', body: { locale: 'zh-CN', return_to: '/' } }) },

  // Any logged-in user.
  'GET /': get('login', '/'),
  'GET /profile': get('login', '/profile', { ok: 303, why: 'the account page is the password form for now: a redirect to it' }),
  'GET /profile/password': get('login', '/profile/password'),
  'POST /profile/password': {
    access: 'login',
    req: async (c) => {
      const user = c.actor === 'anonymous' ? undefined : await row('users', userIds[c.actor]);
      return {
        url: '/profile/password',
        body: { current_password: DEMO_PASSWORD, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD },
        // The demo password back, as stored (a second change through the form costs two more bcrypt rounds).
        after: async () => {
          await t.db('users').where({ id: user.id }).update({ password_hash: user.password_hash });
        },
      };
    },
  },

  // Customers.
  'GET /customers': get('customers.view', '/customers'),
  'GET /customers/new': get('customers.create', '/customers/new'),
  'POST /customers': {
    access: 'customers.create',
    req: (c) => ({ url: '/customers', body: { kind: 'company', name: make.label(c.owner, 'customer'), status: 'new' } }),
    assign: (c) => ({ url: '/customers', body: { kind: 'company', name: make.label(c.owner, 'customer'), status: 'new', ...assigned(c) } }),
  },
  'GET /customers/:id': owned('customers.view', (c) => ({ url: `/customers/${rec(c).customer}` })),
  'GET /customers/:id/edit': owned('customers.edit', (c) => ({ url: `/customers/${rec(c).customer}/edit` })),
  'POST /customers/:id': owned('customers.edit', (c) => customerEdit(c, {}), { assign: (c) => customerEdit(c, assigned(c)) }),
  'GET /customers/:id/delete': owned('customers.delete', (c) => ({ url: `/customers/${rec(c).customer}/delete` })),
  'POST /customers/:id/delete': owned('customers.delete', async (c) => ({ url: `/customers/${await make.customer(c.owner)}/delete` })),
  'POST /customers/:id/restore': owned('customers.restore', async (c) => ({ url: `/customers/${await make.deletedCustomer(c.owner)}/restore` })),

  // Contacts: seen with the customer, changed with customers.edit.
  'GET /contacts': get('customers.view', '/contacts'),
  'GET /contacts/new': owned('customers.edit', (c) => ({ url: `/contacts/new?customer_id=${rec(c).customer}` })),
  'POST /contacts': owned('customers.edit', (c) => ({
    url: '/contacts',
    body: { customer_id: rec(c).customer, name: text(c, make.label(c.owner, 'contact')) },
  })),
  'GET /contacts/:id': owned('customers.view', (c) => ({ url: `/contacts/${rec(c).contact}` })),
  'GET /contacts/:id/edit': owned('customers.edit', (c) => ({ url: `/contacts/${rec(c).contact}/edit` })),
  'POST /contacts/:id': owned('customers.edit', async (c) => {
    const contact = await row('contacts', rec(c).contact);
    return { url: `/contacts/${contact.id}`, body: { version: contact.version, name: text(c, contact.name), remark: `Edited by ${c.actor}` } };
  }),
  'GET /contacts/:id/delete': owned('customers.edit', (c) => ({ url: `/contacts/${rec(c).contact}/delete` })),
  'POST /contacts/:id/delete': owned('customers.edit', async (c) => {
    const id = await make.contact(c.owner);
    return { url: `/contacts/${id}/delete`, body: { version: await make.version('contacts', id) } };
  }),

  // Visit plans: seen through their customer.
  'GET /visits': get('visits.view', '/visits'),
  'GET /visits/new': owned('visits.create', (c) => ({ url: `/visits/new?customer_id=${rec(c).customer}` })),
  'POST /visits': owned('visits.create', (c) => ({
    url: '/visits',
    body: {
      customer_id: rec(c).customer, purpose: text(c, make.label(c.owner, 'visit')), planned_at: localTime(2), status: 'planned',
      owner_id: c.actor === 'anonymous' ? '' : userIds[c.actor],
    },
  })),
  'GET /visits/:id': owned('visits.view', (c) => ({ url: `/visits/${rec(c).visit}` })),
  'GET /visits/:id/edit': owned('visits.edit', (c) => ({ url: `/visits/${rec(c).visit}/edit` })),
  'POST /visits/:id': owned('visits.edit', async (c) => {
    const visit = await row('visit_plans', rec(c).visit);
    return {
      url: `/visits/${visit.id}`,
      body: { version: visit.version, purpose: text(c, visit.purpose), planned_at: localTime(3), status: 'planned', owner_id: visit.owner_id },
    };
  }),
  'GET /visits/:id/delete': owned('visits.delete', (c) => ({ url: `/visits/${rec(c).visit}/delete` })),
  'POST /visits/:id/delete': owned('visits.delete', async (c) => {
    const id = await make.visit(c.owner);
    return { url: `/visits/${id}/delete`, body: { version: await make.version('visit_plans', id) } };
  }),
  'POST /visits/:id/restore': owned('visits.restore', async (c) => {
    const id = await make.deletedVisit(c.owner);
    return { url: `/visits/${id}/restore`, body: { version: await make.version('visit_plans', id) } };
  }),

  // Follow-ups: seen with the customer, logged with followups.create.
  'GET /followups': get('customers.view', '/followups'),
  'GET /followups/new': owned('followups.create', (c) => ({ url: `/followups/new?customer_id=${rec(c).customer}` })),
  'POST /followups': owned(
    'followups.create',
    (c) => ({
      url: '/followups',
      body: { customer_id: rec(c).customer, type: 'call', occurred_at: localTime(-1), content: text(c, make.label(c.owner, 'follow-up')) },
    }),
    {
      foreign: {
        req: (c) => ({
          url: '/followups',
          body: {
            customer_id: rec(c).customer, type: 'call', occurred_at: localTime(-1), content: text(c, ''),
            opportunity_id: theirs(c).opportunity,
          },
        }),
        status: 422,
        why: NOT_A_CHOICE,
      },
    },
  ),

  // Opportunities.
  'GET /opportunities': get('opportunities.view', '/opportunities'),
  'GET /opportunities/board': get('opportunities.view', '/opportunities/board'),
  'GET /opportunities/new': owned('opportunities.create', (c) => ({ url: `/opportunities/new?customer_id=${rec(c).customer}` })),
  'POST /opportunities': owned(
    'opportunities.create',
    (c) => ({
      url: '/opportunities',
      body: {
        customer_id: rec(c).customer, title: text(c, make.label(c.actor as DemoUser, 'opportunity')), amount: '1000.00', currency: 'CNY',
        stage_id: stages.open, expected_close_date: day(20),
      },
    }),
    {
      outOfScope: 422,
      outWhy: OUT_OF_SCOPE_CHOICE,
      assign: (c) => ({
        url: '/opportunities',
        body: {
          customer_id: rec(c).customer, title: make.label(c.actor as DemoUser, 'opportunity'), amount: '1000.00', currency: 'CNY',
          stage_id: stages.open, expected_close_date: day(20), ...assigned(c),
        },
      }),
    },
  ),
  'GET /opportunities/:id': owned('opportunities.view', (c) => ({ url: `/opportunities/${rec(c).opportunity}` }), {
    foreign: { req: (c) => ({ url: `/opportunities/${theirs(c).opportunity}` }), status: 404, why: 'out of scope, though its customer is in scope' },
  }),
  'GET /opportunities/:id/edit': owned('opportunities.edit', (c) => ({ url: `/opportunities/${rec(c).opportunity}/edit` })),
  'POST /opportunities/:id': owned('opportunities.edit', (c) => opportunityEdit(c, {}), { assign: (c) => opportunityEdit(c, assigned(c)) }),
  'POST /opportunities/:id/stage': owned('opportunities.edit', async (c) => {
    const id = await make.opportunity(c.owner);
    return { url: `/opportunities/${id}/stage`, body: { stage_id: stages.lost, lost_reason: 'price', version: await make.version('opportunities', id) } };
  }),
  'GET /opportunities/:id/delete': owned('opportunities.delete', (c) => ({ url: `/opportunities/${rec(c).opportunity}/delete` })),
  'POST /opportunities/:id/delete': owned('opportunities.delete', async (c) => ({ url: `/opportunities/${await make.opportunity(c.owner)}/delete` })),
  'POST /opportunities/:id/restore': owned('opportunities.restore', async (c) => ({
    url: `/opportunities/${await make.deletedOpportunity(c.owner)}/restore`,
  })),
  'POST /opportunities/:id/contract': owned('contracts.create', async (c) => ({
    url: `/opportunities/${await make.opportunity(c.owner, stages.won)}/contract`,
  })),

  // Quotes.
  'GET /quotes': get('quotes.view', '/quotes'),
  'GET /quotes/new': owned('quotes.create', (c) => ({ url: `/quotes/new?customer_id=${rec(c).customer}` }), {
    foreign: {
      req: (c) => ({ url: `/quotes/new?customer_id=${rec(c).customer}&opportunity_id=${theirs(c).opportunity}` }),
      status: 200,
      why: 'the form opens for the customer; its picker leaves the opportunity out',
    },
  }),
  'POST /quotes': owned(
    'quotes.create',
    (c) => ({
      url: '/quotes',
      body: { customer_id: rec(c).customer, title: text(c, make.label(c.actor as DemoUser, 'quote')), currency: 'CNY', ...items },
    }),
    {
      foreign: {
        req: (c) => ({
          url: '/quotes',
          body: {
            customer_id: rec(c).customer, opportunity_id: theirs(c).opportunity, title: text(c, ''), currency: 'CNY',
            ...items,
          },
        }),
        status: 422,
        why: NOT_A_CHOICE,
      },
    },
  ),
  'GET /quotes/:id': owned('quotes.view', (c) => ({ url: `/quotes/${rec(c).quote}` }), {
    foreign: { req: (c) => ({ url: `/quotes/${theirs(c).quote}` }), status: 404, why: 'out of scope, though its customer is in scope' },
  }),
  'GET /quotes/:id/edit': owned('quotes.edit', (c) => ({ url: `/quotes/${rec(c).quote}/edit` })),
  'POST /quotes/:id': owned('quotes.edit', (c) => quoteEdit(c, (quote) => quote.opportunity_id ?? ''), {
    foreign: { req: (c) => quoteEdit(c, () => theirs(c).opportunity), status: 422, why: NOT_A_CHOICE },
  }),
  'POST /quotes/:id/status': owned('quotes.edit', async (c) => {
    const id = await make.quote(c.owner);
    return { url: `/quotes/${id}/status`, body: { status: 'sent', version: await make.version('quotes', id) } };
  }),
  'POST /quotes/:id/contract': owned('contracts.create', async (c) => ({ url: `/quotes/${await make.acceptedQuote(c.owner)}/contract` })),

  // Contracts.
  'GET /contracts': get('contracts.view', '/contracts'),
  'GET /contracts/new': owned('contracts.create', (c) => ({ url: `/contracts/new?customer_id=${rec(c).customer}` })),
  'POST /contracts': owned(
    'contracts.create',
    (c) => ({
      url: '/contracts',
      body: { customer_id: rec(c).customer, title: text(c, make.label(c.actor as DemoUser, 'contract')), currency: 'CNY', ...items },
    }),
    {
      outOfScope: 422,
      outWhy: OUT_OF_SCOPE_CHOICE,
      assign: (c) => ({
        url: '/contracts',
        body: { customer_id: rec(c).customer, title: make.label(c.actor as DemoUser, 'contract'), currency: 'CNY', ...items, ...assigned(c) },
      }),
      foreign: {
        req: (c) => ({
          url: '/contracts',
          body: {
            customer_id: rec(c).customer, opportunity_id: theirs(c).opportunity, quote_id: theirs(c).quote,
            title: text(c, ''), currency: 'CNY', ...items,
          },
        }),
        status: 422,
        why: NOT_A_CHOICE,
      },
    },
  ),
  'GET /contracts/:id': owned('contracts.view', (c) => ({ url: `/contracts/${rec(c).contract}` }), {
    foreign: { req: (c) => ({ url: `/contracts/${theirs(c).contract}` }), status: 404, why: 'out of scope, though its customer is in scope' },
  }),
  'GET /contracts/:id/edit': owned('contracts.edit', (c) => ({ url: `/contracts/${rec(c).contract}/edit` })),
  'POST /contracts/:id': owned('contracts.edit', (c) => contractEdit(c, {}), {
    assign: (c) => contractEdit(c, assigned(c)),
    foreign: {
      req: (c) => contractEdit(c, { opportunity_id: theirs(c).opportunity, quote_id: theirs(c).quote }),
      status: 422,
      why: NOT_A_CHOICE,
    },
  }),
  'POST /contracts/:id/submit': owned('contracts.edit', async (c) => {
    const id = await make.contract(c.owner);
    return { url: `/contracts/${id}/submit`, body: { version: await make.version('contracts', id) } };
  }),
  'POST /contracts/:id/approve': owned('contracts.approve', async (c) => {
    const id = await make.pendingContract(c.owner);
    return { url: `/contracts/${id}/approve`, body: { version: await make.version('contracts', id) } };
  }),
  'POST /contracts/:id/reject': owned('contracts.approve', async (c) => {
    const id = await make.pendingContract(c.owner);
    return { url: `/contracts/${id}/reject`, body: { version: await make.version('contracts', id), comment: 'Not this time' } };
  }),
  'POST /contracts/:id/sign': owned('contracts.edit', async (c) => {
    const id = await make.approvedContract(c.owner);
    return { url: `/contracts/${id}/sign`, body: { version: await make.version('contracts', id), sign_date: day(0) } };
  }),
  'POST /contracts/:id/terminate': owned('contracts.edit', async (c) => {
    const id = await make.approvedContract(c.owner);
    return { url: `/contracts/${id}/terminate`, body: { version: await make.version('contracts', id), comment: 'Ended' } };
  }),

  // Receivables: a contract's payment plans and payments.
  'GET /payments': get('payments.view', '/payments'),
  'POST /contracts/:id/plans': owned('payments.create', (c) => ({
    url: `/contracts/${rec(c).contract}/plans`,
    body: { due_date: day(5), amount: '1.00', remark: text(c, make.label(c.owner, 'plan')) },
  })),
  'GET /contracts/:id/plans/:planId/edit': owned('payments.create', (c) => ({ url: `/contracts/${rec(c).contract}/plans/${rec(c).plan}/edit` }), {
    foreign: { req: (c) => ({ url: `/contracts/${rec(c).contract}/plans/${theirs(c).plan}/edit` }), status: 404, why: ANOTHER_PLAN },
  }),
  'POST /contracts/:id/plans/:planId': owned('payments.create', (c) => planEdit(c, rec(c).plan), {
    foreign: { req: (c) => planEdit(c, theirs(c).plan), status: 404, why: ANOTHER_PLAN },
  }),
  'GET /contracts/:id/plans/:planId/delete': owned('payments.create', (c) => ({ url: `/contracts/${rec(c).contract}/plans/${rec(c).plan}/delete` }), {
    foreign: { req: (c) => ({ url: `/contracts/${rec(c).contract}/plans/${theirs(c).plan}/delete` }), status: 404, why: ANOTHER_PLAN },
  }),
  'POST /contracts/:id/plans/:planId/delete': owned(
    'payments.create',
    async (c) => ({ url: `/contracts/${rec(c).contract}/plans/${await make.plan(c.owner, rec(c).contract, '1.00')}/delete` }),
    { foreign: { req: (c) => ({ url: `/contracts/${rec(c).contract}/plans/${theirs(c).plan}/delete` }), status: 404, why: ANOTHER_PLAN } },
  ),
  'POST /contracts/:id/payments': owned('payments.create', (c) => payment(c, rec(c).approvedPlan!), {
    foreign: { req: (c) => payment(c, theirs(c).plan), status: 422, why: NOT_A_CHOICE },
  }),

  // Products and their categories: everyone looks, the admin changes.
  'GET /products': get('products.view', '/products'),
  'GET /products/new': get('admin.products', '/products/new'),
  'POST /products': shared('admin.products', () => ({
    url: '/products',
    body: { name: `Matrix product ${n()}`, code: `MX-${n()}`, list_price: '100.00', is_active: '1' },
  })),
  'GET /products/:id': shared('products.view', () => ({ url: `/products/${globals.product}` })),
  'GET /products/:id/edit': shared('admin.products', () => ({ url: `/products/${globals.product}/edit` })),
  'POST /products/:id': shared('admin.products', async () => {
    const product = await row('products', globals.product);
    return {
      url: `/products/${product.id}`,
      body: { version: product.version, name: product.name, code: product.code, list_price: '120.00', is_active: '1' },
    };
  }),
  'POST /products/:id/deactivate': shared('admin.products', async () => ({ url: `/products/${await adminMake.product()}/deactivate` })),
  'POST /products/:id/activate': shared('admin.products', async () => ({ url: `/products/${await adminMake.product({})}/activate` })),
  'GET /products/:id/delete': shared('admin.products', () => ({ url: `/products/${globals.product}/delete` })),
  'POST /products/:id/delete': shared('admin.products', async () => ({ url: `/products/${await adminMake.product()}/delete` })),
  'GET /products/categories': get('admin.products', '/products/categories'),
  'POST /products/categories': shared('admin.products', () => {
    const name = `Matrix ${n()}`;
    return { url: '/products/categories', body: { name_zh: `矩阵 ${name}`, name_en: name } };
  }),
  'GET /products/categories/:id/edit': shared('admin.products', () => ({ url: `/products/categories/${globals.category}/edit` })),
  'POST /products/categories/:id': shared('admin.products', async () => {
    const category = await row('product_categories', globals.category);
    return {
      url: `/products/categories/${category.id}`,
      body: { version: category.version, name_zh: category.name_zh, name_en: `${category.name_en} (edited)`, parent_id: '' },
    };
  }),
  'POST /products/categories/:id/move': shared('admin.products', () => ({ url: `/products/categories/${globals.category}/move`, body: { direction: 'up' } })),
  'GET /products/categories/:id/delete': shared('admin.products', () => ({ url: `/products/categories/${globals.category}/delete` })),
  'POST /products/categories/:id/delete': shared('admin.products', async () => ({ url: `/products/categories/${await adminMake.category()}/delete` })),

  // Pipeline stages.
  'GET /admin/stages': get('admin.stages', '/admin/stages'),
  'GET /admin/stages/new': get('admin.stages', '/admin/stages/new'),
  'POST /admin/stages': shared('admin.stages', () => {
    const code = `matrix_${n()}`;
    return { url: '/admin/stages', body: { code, name_zh: `矩阵 ${code}`, name_en: `Matrix ${code}`, probability: '20', kind: 'open', is_active: '1' } };
  }),
  'GET /admin/stages/:id/edit': shared('admin.stages', () => ({ url: `/admin/stages/${globals.stage}/edit` })),
  'POST /admin/stages/:id': shared('admin.stages', async () => {
    const stage = await row('pipeline_stages', globals.stage);
    return {
      url: `/admin/stages/${stage.id}`,
      body: {
        version: stage.version, name_zh: stage.name_zh, name_en: `${stage.name_en} (edited)`, sort: stage.sort, probability: '25', kind: 'open',
        is_active: '1',
      },
    };
  }),
  'POST /admin/stages/:id/move': shared('admin.stages', () => ({ url: `/admin/stages/${globals.stage}/move`, body: { direction: 'up' } })),
  'POST /admin/stages/:id/activate': shared('admin.stages', async () => ({ url: `/admin/stages/${await adminMake.stage(false)}/activate` })),
  'POST /admin/stages/:id/deactivate': shared('admin.stages', async () => ({ url: `/admin/stages/${await adminMake.stage()}/deactivate` })),
  'GET /admin/stages/:id/delete': shared('admin.stages', () => ({ url: `/admin/stages/${globals.stage}/delete` })),
  'POST /admin/stages/:id/delete': shared('admin.stages', async () => ({ url: `/admin/stages/${await adminMake.stage()}/delete` })),

  // Dictionaries.
  'GET /admin/dictionaries': get('admin.dictionaries', '/admin/dictionaries'),
  'GET /admin/dictionaries/new': get('admin.dictionaries', '/admin/dictionaries/new'),
  'POST /admin/dictionaries': shared('admin.dictionaries', () => {
    const code = `matrix_${n()}`;
    return { url: '/admin/dictionaries', body: { type: 'industry', code, label_zh: `矩阵 ${code}`, label_en: `Matrix ${code}`, is_active: '1' } };
  }),
  'GET /admin/dictionaries/:id/edit': shared('admin.dictionaries', () => ({ url: `/admin/dictionaries/${globals.dictionary}/edit` })),
  'POST /admin/dictionaries/:id': shared('admin.dictionaries', async () => {
    const entry = await row('dictionaries', globals.dictionary);
    return {
      url: `/admin/dictionaries/${entry.id}`,
      body: { version: entry.version, label_zh: entry.label_zh, label_en: `${entry.label_en} (edited)`, sort: entry.sort, is_active: '1' },
    };
  }),
  'POST /admin/dictionaries/:id/move': shared('admin.dictionaries', () => ({ url: `/admin/dictionaries/${globals.dictionary}/move`, body: { direction: 'up' } })),
  'POST /admin/dictionaries/:id/activate': shared('admin.dictionaries', async () => ({ url: `/admin/dictionaries/${await adminMake.dictionary(false)}/activate` })),
  'POST /admin/dictionaries/:id/deactivate': shared('admin.dictionaries', async () => ({ url: `/admin/dictionaries/${await adminMake.dictionary()}/deactivate` })),
  'GET /admin/dictionaries/:id/delete': shared('admin.dictionaries', () => ({ url: `/admin/dictionaries/${globals.dictionary}/delete` })),
  'POST /admin/dictionaries/:id/delete': shared('admin.dictionaries', async () => ({ url: `/admin/dictionaries/${await adminMake.dictionary()}/delete` })),

  // Users (the demo users themselves are never changed: a user of the matrix's own is).
  'GET /admin/users': get('admin.users', '/admin/users'),
  'GET /admin/users/new': get('admin.users', '/admin/users/new'),
  'POST /admin/users': shared('admin.users', () => {
    const username = `matrix-${n()}`;
    return {
      url: '/admin/users',
      body: { username, display_name: `Matrix ${username}`, role_id: globals.repRole, password: 'matrix-pass', password_confirm: 'matrix-pass' },
    };
  }),
  'GET /admin/users/:id/edit': shared('admin.users', () => ({ url: `/admin/users/${globals.user}/edit` })),
  'POST /admin/users/:id': shared('admin.users', async () => {
    const user = await row('users', globals.user);
    return {
      url: `/admin/users/${user.id}`,
      body: { version: user.version, display_name: `${user.display_name} (edited)`.slice(0, 100), role_id: user.role_id, department_id: '' },
    };
  }),
  'GET /admin/users/:id/password': shared('admin.users', () => ({ url: `/admin/users/${globals.user}/password` })),
  'POST /admin/users/:id/password': shared('admin.users', () => ({
    url: `/admin/users/${globals.user}/password`,
    body: { password: 'matrix-pass-2', password_confirm: 'matrix-pass-2' },
  })),
  'GET /admin/users/:id/deactivate': shared('admin.users', () => ({ url: `/admin/users/${globals.user}/deactivate` })),
  // A new user costs a bcrypt hash: made only for a request that should pass (a refused one changes
  // nothing, which runCase checks), the shared user otherwise.
  'POST /admin/users/:id/deactivate': shared('admin.users', async (c) => ({
    url: `/admin/users/${allowed(c, 'admin.users') ? await adminMake.user() : globals.user}/deactivate`,
  })),
  'POST /admin/users/:id/activate': shared('admin.users', async (c) => ({
    url: `/admin/users/${allowed(c, 'admin.users') ? await adminMake.inactiveUser() : globals.user}/activate`,
  })),
  'POST /admin/users/:id/unlock': shared('admin.users', () => ({ url: `/admin/users/${globals.user}/unlock` })),

  // Installation settings.
  'GET /admin/settings': get('admin.settings', '/admin/settings'),
  'POST /admin/settings': shared('admin.settings', async () => {
    const page = await agents.admin.get('/admin/settings');
    const version = /name="version" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
    return { url: '/admin/settings', body: { stale_customer_days: '30', version: version.replace(/&#39;/g, "'").replace(/&amp;/g, '&') } };
  }),
};

const isPublic = (fx: Fixture) => fx.access === 'public';

function casesOf(fx: Fixture): Case[] {
  const cases: Case[] = [];
  for (const actor of DEMO_USERS) {
    if (fx.assign && OUT_OF_SCOPE_OWNER[actor]) cases.push({ actor, scope: 'assign', owner: fx.record === 'owned' ? IN_SCOPE_OWNER[actor] : actor });
    if (fx.record !== 'owned') {
      cases.push({ actor, scope: 'none', owner: actor });
      continue;
    }
    cases.push({ actor, scope: 'in', owner: IN_SCOPE_OWNER[actor] });
    const out = OUT_OF_SCOPE_OWNER[actor];
    if (out) cases.push({ actor, scope: 'out', owner: out });
    if (fx.foreign && actor !== 'admin') cases.push({ actor, scope: 'foreign', owner: IN_SCOPE_OWNER[actor] });
  }
  cases.push({ actor: 'anonymous', scope: 'none', owner: 'rep1' });
  return cases;
}

function expectedOf(route: Route, fx: Fixture, c: Case): number {
  const ok = fx.ok ?? (route.method === 'get' ? 200 : 303);
  if (c.actor === 'anonymous') return isPublic(fx) ? (fx.anonymous ?? ok) : 303;
  return expectedStatus(c.actor, fx.access, c.scope, { ok, outOfScope: fx.outOfScope ?? 404, foreign: fx.foreign?.status });
}

function titleOf(route: Route, fx: Fixture, c: Case): string {
  const record = {
    none: '',
    in: ` · in scope (${c.owner}'s)`,
    out: ` · out of scope (${c.owner}'s)`,
    foreign: ` · ${c.owner}'s customer, the admin's record`,
    assign: `${c.owner === c.actor ? '' : ` · in scope (${c.owner}'s)`} · owner out of scope (${OUT_OF_SCOPE_OWNER[c.actor as DemoUser]})`,
  }[c.scope];
  return `${c.actor}${record} → ${expectedOf(route, fx, c)}`;
}

async function agentFor(fx: Fixture, c: Case): Promise<Agent> {
  if (c.actor === 'anonymous') return fx.session === 'anonymous' ? anonymousAgent() : anonymous;
  if (fx.session === 'anonymous') return anonymousAgent();
  if (fx.session === 'throwaway') return loginAs(t.app, c.actor);
  return agents[c.actor];
}

/** Counts of the tables a write adds to, and the rows a URL names: what a refused request must leave as it was. */
const WRITTEN = [
  'audit_log', 'customers', 'contacts', 'followups', 'opportunities', 'quotes', 'contracts', 'contract_events', 'payment_plans',
  'payment_records', 'products', 'product_categories', 'pipeline_stages', 'dictionaries', 'users', 'visit_plans',
];
const URL_ROWS: Array<[RegExp, string[]]> = [
  [/^\/contracts\/(\d+)\/plans\/(\d+)/, ['contracts', 'payment_plans']],
  [/^\/products\/categories\/(\d+)/, ['product_categories']],
  [/^\/products\/(\d+)/, ['products']],
  [/^\/admin\/stages\/(\d+)/, ['pipeline_stages']],
  [/^\/admin\/dictionaries\/(\d+)/, ['dictionaries']],
  [/^\/admin\/users\/(\d+)/, ['users']],
  [/^\/visits\/(\d+)/, ['visit_plans']],
  [/^\/(?:customers|contacts|opportunities|quotes|contracts)\/(\d+)/, []],
];

async function snapshot(url: string): Promise<string> {
  const counts = await Promise.all(WRITTEN.map(async (table) => `${table}=${(await t.db(table).count({ n: '*' }).first())?.n}`));
  const rows: unknown[] = [];
  for (const [pattern, tables] of URL_ROWS) {
    const m = pattern.exec(url);
    if (!m) continue;
    const named = tables.length > 0 ? tables : [url.split('/')[1]];
    for (const [i, table] of named.entries()) rows.push(await t.db(table).where({ id: Number(m[i + 1]) }).first());
    break;
  }
  return JSON.stringify({ counts, rows });
}

async function runCase(route: Route, fx: Fixture, c: Case, checkLeaks = true): Promise<void> {
  const expected = expectedOf(route, fx, c);
  const req = await (c.scope === 'foreign' ? fx.foreign!.req(c) : c.scope === 'assign' ? fx.assign!(c) : fx.req(c));
  const agent = await agentFor(fx, c);
  const refused = route.method === 'post' && (c.actor === 'anonymous' ? !isPublic(fx) : expected >= 400);
  const before = refused ? await snapshot(req.url) : '';
  const res = route.method === 'get' ? await agent.get(req.url) : await agent.post(req.url).type('form').send({ _csrf: agent.csrf, ...req.body });
  const where = `${c.actor} ${route.method.toUpperCase()} ${req.url}`;
  expect(res.status, `${where}: ${describeResponse(res)}`).toBe(expected);
  if (c.actor === 'anonymous' && !isPublic(fx)) expect(res.headers.location, where).toMatch(/^\/login/);
  else if (res.status === 303 && !isPublic(fx)) expect(res.headers.location, `${where}: a session lost?`).not.toMatch(/^\/login/);
  const shown = [...canaryOwners(res.text ?? '', RUN)];
  const leaked = c.actor === 'anonymous' ? shown : leakedOwners(c.actor, res.text ?? '', RUN);
  if (checkLeaks) expect(leaked, `${where} shows records of`).toEqual([]);
  if (refused) expect(await snapshot(req.url), `${where} was refused, yet changed something`).toBe(before);
  if (req.after && c.actor !== 'anonymous' && res.status === expected) await req.after();
}

beforeAll(async () => {
  for (const user of DEMO_USERS) {
    agents[user] = await loginAs(t.app, user);
    userIds[user] = await t.userId(user);
  }
  anonymous = await anonymousAgent();
  const stageRows: Array<{ id: number; kind: string; sort: number }> = await t.db('pipeline_stages').where('is_active', true).orderBy('sort');
  stages = {
    open: stageRows.find((s) => s.kind === 'open')!.id,
    won: stageRows.find((s) => s.kind === 'won')!.id,
    lost: stageRows.find((s) => s.kind === 'lost')!.id,
  };
  make = matrixRecords(t, agents, RUN, stages);
  records = await make.ownerRecords();
  globals.repRole = (await t.db('roles').where({ code: 'rep' }).first('id')).id;
  globals.product = await adminMake.product();
  globals.category = await adminMake.category();
  globals.stage = await adminMake.stage();
  globals.dictionary = await adminMake.dictionary();
  globals.user = await adminMake.user();
}, 120_000);
afterAll(() => t.close());

describe('the matrix itself', () => {
  it('has a fixture for every route of the app, and none for a route it does not have', () => {
    const routes = new Set(ROUTES.map(keyOf));
    expect(ROUTES.length).toBeGreaterThan(100);
    expect([...routes].filter((key) => !FIXTURES[key]), 'routes without a fixture').toEqual([]);
    expect(Object.keys(FIXTURES).filter((key) => !routes.has(key)), 'fixtures of no route').toEqual([]);
  });

  it('writes the seeded roles\' permissions out as they are in role_permissions', async () => {
    const rows: Array<{ code: string; permission: string }> = await t.db('role_permissions as rp')
      .join('roles as r', 'r.id', 'rp.role_id')
      .select('r.code', 'rp.permission');
    for (const role of ['admin', 'manager', 'rep'] as const) {
      const stored = rows.filter((r) => r.code === role).map((r) => r.permission).sort();
      expect(stored, role).toEqual([...ROLE_PERMISSIONS[role]].sort());
    }
    const users: Array<{ username: string; code: string }> = await t.db('users as u').join('roles as r', 'r.id', 'u.role_id').whereIn('u.username', DEMO_USERS).select('u.username', 'r.code');
    expect(Object.fromEntries(users.map((u) => [u.username, u.code]))).toEqual(ROLE_OF);
  });

  it('picks in-scope and out-of-scope owners the oracle agrees with', () => {
    for (const user of DEMO_USERS) {
      expect(sees(user, IN_SCOPE_OWNER[user]), user).toBe(true);
      const out = OUT_OF_SCOPE_OWNER[user];
      if (out) expect(sees(user, out), user).toBe(false);
      else expect(VISIBLE_OWNERS[user], user).toEqual(DEMO_USERS);
    }
  });

  it('says why wherever an answer is not the rule (200 / 303 allowed, 404 out of scope)', () => {
    const unexplained = Object.entries(FIXTURES)
      .filter(([, fx]) => (fx.ok !== undefined && !fx.why) || (fx.outOfScope !== undefined && !fx.outWhy) || (fx.foreign && !fx.foreign.why))
      .map(([key]) => key);
    expect(unexplained).toEqual([]);
  });
});

/**
 * Authorization bugs found by the matrix in src/ (reported, not fixed here): route → the cases that
 * leak, and what. Each such case runs as it.fails, so it turns red once the bug is fixed: then
 * delete its entry.
 */
// A leak found and not yet fixed goes here (route → why), so that its cases run as it.fails.
const KNOWN_LEAKS: Record<string, (c: Case) => string | null> = {};

for (const route of ROUTES) {
  const key = keyOf(route);
  const fx = FIXTURES[key];
  describe(key, () => {
    if (!fx) {
      it('has a fixture', () => {
        throw new Error(`No fixture for ${key}: add one to FIXTURES in test/authorization-matrix.test.ts`);
      });
      return;
    }
    for (const c of casesOf(fx)) {
      const known = KNOWN_LEAKS[key]?.(c);
      it(titleOf(route, fx, c), () => runCase(route, fx, c, !known));
      // The leak alone is expected to fail: everything else about the case is checked above.
      if (known) it.fails(`${titleOf(route, fx, c)}, KNOWN LEAK: ${known}`, () => runCase(route, fx, c, true));
    }
  });
}

// Lists, searches, My day, the board and every form with pickers (opened on a record in scope),
// per user: no canary of an owner out of scope; on a main list, a canary of every owner in scope
// (so that the check could fail); in every picker (<select>), only records and users in scope.

type Page = { route: string; name: string; url: (user: DemoUser) => string; mustShow?: (owner: DemoUser) => boolean };
const everyone = () => true;
/** Receivables are a contract's plans once it is approved; the admin's contracts never are (nobody approves them). */
const hasReceivables = (owner: DemoUser) => owner !== 'admin';
const mine = (user: DemoUser) => records[IN_SCOPE_OWNER[user]];
const list = (route: string, url: string, mustShow?: Page['mustShow']): Page => ({ route, name: url, url: () => url, mustShow });
const form = (route: string, name: string, url: Page['url']): Page => ({ route, name: `${name}, on a record in scope`, url });
/** The owner out of the user's scope (the admin has none: their own then), to filter a list on. */
const outsider = (user: DemoUser) => OUT_OF_SCOPE_OWNER[user] ?? user;
const filtered = (route: string, path: string, field: 'owner_id' | 'customer_id'): Page => ({
  route,
  name: `${path}?${field}= out of scope`,
  url: (u) => `${path}?${field}=${field === 'owner_id' ? userIds[outsider(u)] : records[outsider(u)].customer}&per_page=100`,
});

const PAGES: Page[] = [
  list('GET /', '/'),
  list('GET /', '/?view=team'),
  list('GET /customers', '/customers?per_page=100', everyone),
  list('GET /customers', '/customers?q=CANARY&per_page=100', everyone),
  list('GET /customers', '/customers?deleted=1&per_page=100'),
  list('GET /contacts', '/contacts?per_page=100', everyone),
  list('GET /contacts', '/contacts?q=CANARY&per_page=100'),
  list('GET /visits', '/visits?per_page=100', everyone),
  list('GET /visits', '/visits?q=CANARY&per_page=100'),
  list('GET /visits/new', '/visits/new?q=CANARY'),
  list('GET /followups', '/followups?per_page=100', everyone),
  list('GET /followups', '/followups?q=CANARY&per_page=100'),
  list('GET /opportunities', '/opportunities?per_page=100', everyone),
  list('GET /opportunities', '/opportunities?q=CANARY&per_page=100'),
  list('GET /opportunities/board', '/opportunities/board'),
  list('GET /quotes', '/quotes?per_page=100', everyone),
  list('GET /quotes', '/quotes?q=CANARY&per_page=100'),
  list('GET /contracts', '/contracts?per_page=100', everyone),
  list('GET /contracts', '/contracts?q=CANARY&per_page=100'),
  list('GET /payments', '/payments?settled=all&per_page=100', hasReceivables),
  list('GET /payments', '/payments?q=CANARY&settled=all&per_page=100'),
  list('GET /customers/new', '/customers/new'),
  list('GET /contracts/new', '/contracts/new'),
  list('GET /followups/new', '/followups/new?q=CANARY'),
  list('GET /opportunities/new', '/opportunities/new?customer_q=CANARY'),
  list('GET /quotes/new', '/quotes/new?customer_q=CANARY'),
  filtered('GET /customers', '/customers', 'owner_id'),
  filtered('GET /opportunities', '/opportunities', 'owner_id'),
  filtered('GET /opportunities', '/opportunities', 'customer_id'),
  filtered('GET /opportunities/board', '/opportunities/board', 'owner_id'),
  filtered('GET /quotes', '/quotes', 'customer_id'),
  filtered('GET /contracts', '/contracts', 'owner_id'),
  filtered('GET /contracts', '/contracts', 'customer_id'),
  filtered('GET /payments', '/payments', 'owner_id'),
  form('GET /customers/:id', 'customer page (follow-up form)', (u) => `/customers/${mine(u).customer}`),
  form('GET /customers/:id/edit', 'customer form', (u) => `/customers/${mine(u).customer}/edit`),
  form('GET /contacts/new', 'new contact form', (u) => `/contacts/new?customer_id=${mine(u).customer}`),
  form('GET /visits/new', 'new visit form', (u) => `/visits/new?customer_id=${mine(u).customer}`),
  form('GET /visits/:id/edit', 'visit form', (u) => `/visits/${mine(u).visit}/edit`),
  form('GET /followups/new', 'new follow-up form', (u) => `/followups/new?customer_id=${mine(u).customer}`),
  form('GET /opportunities/new', 'new opportunity form', (u) => `/opportunities/new?customer_id=${mine(u).customer}`),
  form('GET /opportunities/:id/edit', 'opportunity form', (u) => `/opportunities/${mine(u).opportunity}/edit`),
  form('GET /quotes/new', 'new quote form', (u) => `/quotes/new?customer_id=${mine(u).customer}&opportunity_id=${mine(u).opportunity}`),
  form('GET /quotes/:id/edit', 'quote form', (u) => `/quotes/${mine(u).quote}/edit`),
  form('GET /contracts/new', 'new contract form', (u) => `/contracts/new?customer_id=${mine(u).customer}`),
  form('GET /contracts/:id/edit', 'contract form', (u) => `/contracts/${mine(u).contract}/edit`),
  form('GET /contracts/:id', 'approved contract page (payment form)', (u) => `/contracts/${mine(u).approved}`),
  form('GET /contracts/:id/plans/:planId/edit', 'payment plan form', (u) => `/contracts/${mine(u).contract}/plans/${mine(u).plan}/edit`),
];

/** Whose record each option of a picker is: the table and the owner column it is read from. */
const PICKERS: Record<string, (ids: number[]) => Promise<Array<{ id: number; owner_id: number }>>> = {
  owner_id: async (ids) => ids.map((id) => ({ id, owner_id: id })),
  customer_id: (ids) => t.db('customers').whereIn('id', ids).select('id', 'owner_id'),
  opportunity_id: (ids) => t.db('opportunities').whereIn('id', ids).select('id', 'owner_id'),
  quote_id: (ids) => t.db('quotes').whereIn('id', ids).select('id', 'owner_id'),
  contact_id: (ids) => t.db('contacts as k').join('customers as c', 'c.id', 'k.customer_id').whereIn('k.id', ids).select('k.id', 'c.owner_id'),
  plan_id: (ids) => t.db('payment_plans').whereIn('id', ids).select('id', 'owner_id'),
};

/** Options of a page's pickers whose record (or user) is outside the user's scope, as `field=id`. */
async function pickersOutOfScope(user: DemoUser, html: string): Promise<string[]> {
  const visible = new Set(VISIBLE_OWNERS[user].map((u) => userIds[u]));
  const found: string[] = [];
  for (const select of html.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = /\sname="([^"]+)"/.exec(select[1])?.[1] ?? '';
    const owners = PICKERS[name];
    if (!owners || user === 'admin') continue;
    const ids = [...select[2].matchAll(/<option\b[^>]*\svalue="(\d+)"/g)].map((m) => Number(m[1]));
    if (ids.length === 0) continue;
    const rows = await owners(ids);
    for (const id of ids) {
      const owner = rows.find((r) => Number(r.id) === id)?.owner_id;
      if (owner === undefined || !visible.has(Number(owner))) found.push(`${name}=${id}`);
    }
  }
  return found;
}

describe.each(DEMO_USERS)('pages of %s', (user) => {
  for (const page of PAGES) {
    const known = KNOWN_LEAKS[page.route]?.({ actor: user, scope: 'in', owner: IN_SCOPE_OWNER[user] });
    it(page.name, () => checkPage(user, page, !known));
    // The leak alone is expected to fail: everything else about the page is checked above.
    if (known) it.fails(`${page.name}, KNOWN LEAK: ${known}`, () => checkPage(user, page, true));
  }
});

async function checkPage(user: DemoUser, page: Page, checkLeaks: boolean): Promise<void> {
  const expected = expectedStatus(user, FIXTURES[page.route].access, 'in', { ok: 200, outOfScope: 404 });
  const url = page.url(user);
  const res = await agents[user].get(url);
  expect(res.status, `${user} GET ${url}: ${describeResponse(res)}`).toBe(expected);
  if (expected !== 200) return;
  if (checkLeaks) expect(leakedOwners(user, res.text, RUN), `${user} GET ${url} shows records of`).toEqual([]);
  expect(await pickersOutOfScope(user, res.text), `${user} GET ${url} offers, out of scope`).toEqual([]);
  if (page.mustShow) {
    const shown = canaryOwners(res.text, RUN);
    const missing = VISIBLE_OWNERS[user].filter((owner) => page.mustShow!(owner) && !shown.has(owner));
    expect(missing, `${user} GET ${url} should list records of`).toEqual([]);
  }
}

describe('after the matrix', () => {
  it('no record out of scope was changed: no "Matrix hijack" anywhere', async () => {
    const hijacked = [
      ...(await t.db('customers').where('name', 'like', 'Matrix hijack%').pluck('id')),
      ...(await t.db('contacts').where('name', 'like', 'Matrix hijack%').pluck('id')),
      ...(await t.db('followups').where('content', 'like', 'Matrix hijack%').pluck('id')),
      ...(await t.db('opportunities').where('title', 'like', 'Matrix hijack%').pluck('id')),
      ...(await t.db('quotes').where('title', 'like', 'Matrix hijack%').pluck('id')),
      ...(await t.db('contracts').where('title', 'like', 'Matrix hijack%').pluck('id')),
      ...(await t.db('payment_plans').where('remark', 'like', 'Matrix hijack%').pluck('id')),
    ];
    expect(hijacked).toEqual([]);
  });

  it('every record saved in an `assign` case kept an owner in its saver\'s scope', async () => {
    const names = Object.fromEntries(DEMO_USERS.map((u) => [userIds[u], u]));
    for (const table of ['customers', 'opportunities', 'contracts']) {
      const rows: Array<{ remark: string; owner_id: number }> = await t.db(table).where('remark', 'like', 'Matrix assign by %').select('remark', 'owner_id');
      // Reps may not assign: their saves pass with the owner field ignored, so each table has some.
      expect(rows.length, table).toBeGreaterThan(0);
      const outside = rows.filter((r) => !sees(r.remark.slice('Matrix assign by '.length) as DemoUser, names[r.owner_id]));
      expect(outside.map((r) => `${r.remark} → ${names[r.owner_id] ?? r.owner_id}`), table).toEqual([]);
    }
  });
});
