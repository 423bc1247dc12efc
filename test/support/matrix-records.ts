import { postForm, type Agent, type TestApp } from './test-app.js';
import { APPROVER_OF, DEMO_USERS, type DemoUser } from './authz-oracle.js';

// The records the authorization matrix acts on, made over HTTP by their owners (a contract is sent
// by its owner and approved by the owner's approver), so every summary and history row a real user
// leaves is there. Every record carries its owner's canary, `CANARY-<owner>-<run>`, in its name,
// title, content or remark: a page that shows a record shows whose it is.

export type Stages = { open: number; won: number; lost: number };

/** One of each record per owner, on the owner's own customer. */
export type OwnerRecords = {
  customer: number;
  contact: number;
  visit: number;
  opportunity: number;
  quote: number;
  /** A draft contract with one plan (`plan`). */
  contract: number;
  plan: number;
  /** An approved contract with one plan (`approvedPlan`), to record payments on; none for the admin (nobody approves theirs). */
  approved: number | null;
  approvedPlan: number | null;
  /** The admin's records on this owner's customer (none on the admin's own): out of every other user's scope. */
  admin: { opportunity: number; quote: number; contract: number; plan: number } | null;
};

const UTC_DAY = 24 * 3600 * 1000;
/** A calendar day, `days` from today (UTC; every demo user's zone is ahead of it, so "yesterday" is past everywhere). */
export const day = (days = 0) => new Date(Date.now() + days * UTC_DAY).toISOString().slice(0, 10);
/** A datetime-local value `days` from now. */
export const localTime = (days: number) => new Date(Date.now() + days * UTC_DAY).toISOString().slice(0, 16);

/** What went wrong with a request that should have worked, with the page's field errors. */
export function describeResponse(res: { status: number; headers: Record<string, string>; text: string }): string {
  const errors = [...(res.text ?? '').matchAll(/data-test="error-([\w\][]+)"[^>]*>([^<]*)/g)].map((m) => `${m[1]}: ${m[2].trim()}`);
  const cause = /<pre[^>]*>([^\n<]*)/.exec(res.text ?? '')?.[1];
  return [`status ${res.status}`, res.headers.location && `→ ${res.headers.location}`, errors.join('; '), cause].filter(Boolean).join(' ');
}

export async function expectRedirect(request: PromiseLike<{ status: number; headers: Record<string, string>; text: string }>, what: string): Promise<string> {
  const res = await request;
  if (res.status !== 303) throw new Error(`Fixture: ${what} failed: ${describeResponse(res)}`);
  return res.headers.location ?? '';
}

const idIn = (location: string, pattern: RegExp, what: string): number => {
  const m = pattern.exec(location);
  if (!m) throw new Error(`Fixture: ${what} redirected to ${location}`);
  return Number(m[1]);
};

export function matrixRecords(t: TestApp, agents: Record<DemoUser, Agent>, run: string, stages: Stages) {
  let seq = 0;
  const canary = (owner: DemoUser) => `CANARY-${owner}-${run}`;
  const label = (owner: DemoUser, kind: string) => `${canary(owner)} ${kind} ${++seq}`;
  const version = async (table: string, id: number) => String((await t.db(table).where({ id }).first('version')).version);
  const customers = {} as Record<DemoUser, number>;
  const customerOf = (owner: DemoUser) => {
    if (!customers[owner]) throw new Error(`Fixture: no customer of ${owner} yet`);
    return customers[owner];
  };

  const make = {
    canary,
    label,
    version,

    async customer(owner: DemoUser, fields: Record<string, string> = {}): Promise<number> {
      const location = await expectRedirect(
        postForm(agents[owner], '/customers', { kind: 'company', name: label(owner, 'customer'), status: 'new', ...fields }),
        `${owner} creates a customer`,
      );
      return idIn(location, /^\/customers\/(\d+)$/, 'customer');
    },

    async deletedCustomer(owner: DemoUser): Promise<number> {
      const id = await make.customer(owner);
      await expectRedirect(postForm(agents[owner], `/customers/${id}/delete`), `${owner} deletes customer ${id}`);
      return id;
    },

    async contact(owner: DemoUser, customerId = customerOf(owner)): Promise<number> {
      const name = label(owner, 'contact');
      await expectRedirect(postForm(agents[owner], '/contacts', { customer_id: customerId, name }), `${owner} adds a contact`);
      return (await t.db('contacts').where({ customer_id: customerId, name }).first('id')).id;
    },

    /** A planned visit to the owner's customer, planned for the owner. */
    async visit(owner: DemoUser): Promise<number> {
      const location = await expectRedirect(
        postForm(agents[owner], '/visits', {
          customer_id: customerOf(owner), purpose: label(owner, 'visit'), planned_at: localTime(1), owner_id: await t.userId(owner), status: 'planned',
        }),
        `${owner} plans a visit`,
      );
      return idIn(location, /^\/visits\/(\d+)$/, 'visit');
    },

    async deletedVisit(owner: DemoUser): Promise<number> {
      const id = await make.visit(owner);
      await expectRedirect(postForm(agents[owner], `/visits/${id}/delete`), `${owner} deletes visit ${id}`);
      return id;
    },

    /** A follow-up logged by `by` (default the owner) on the owner's customer. */
    async followup(owner: DemoUser, fields: Record<string, string | number> = {}, by: DemoUser = owner): Promise<void> {
      await expectRedirect(
        postForm(agents[by], '/followups', {
          customer_id: customerOf(owner), type: 'call', occurred_at: localTime(-2), content: label(owner, 'follow-up'), ...fields,
        }),
        `${by} logs a follow-up for ${owner}`,
      );
    },

    /** An opportunity of `owner`'s on `customerOwner`'s customer (made by the admin when they differ). */
    async opportunity(owner: DemoUser, stageId = stages.open, customerOwner: DemoUser = owner): Promise<number> {
      const by = owner === customerOwner ? owner : 'admin';
      const location = await expectRedirect(
        postForm(agents[by], '/opportunities', {
          customer_id: customerOf(customerOwner), title: label(owner, 'opportunity'), amount: '5000.00', currency: 'CNY',
          stage_id: stageId, expected_close_date: day(10), ...(by === owner ? {} : { owner_id: await t.userId(owner) }),
          ...(stageId === stages.lost ? { lost_reason: 'price' } : {}),
        }),
        `${by} creates an opportunity for ${owner}`,
      );
      return idIn(location, /^\/opportunities\/(\d+)$/, 'opportunity');
    },

    async deletedOpportunity(owner: DemoUser): Promise<number> {
      const id = await make.opportunity(owner);
      await expectRedirect(postForm(agents[owner], `/opportunities/${id}/delete`), `${owner} deletes opportunity ${id}`);
      return id;
    },

    /** A draft quote by `owner` (quotes belong to whoever writes them) on `customerOwner`'s customer. */
    async quote(owner: DemoUser, customerOwner: DemoUser = owner, fields: Record<string, string | number> = {}): Promise<number> {
      const location = await expectRedirect(
        postForm(agents[owner], '/quotes', {
          customer_id: customerOf(customerOwner), title: label(owner, 'quote'), currency: 'CNY',
          'items[0][product_name]': 'Service', 'items[0][quantity]': '2', 'items[0][unit_price]': '300', ...fields,
        }),
        `${owner} writes a quote`,
      );
      return idIn(location, /^\/quotes\/(\d+)$/, 'quote');
    },

    async acceptedQuote(owner: DemoUser): Promise<number> {
      const id = await make.quote(owner);
      for (const status of ['sent', 'accepted']) {
        await expectRedirect(postForm(agents[owner], `/quotes/${id}/status`, { status, version: await version('quotes', id) }), `quote ${id} → ${status}`);
      }
      return id;
    },

    /** A draft contract of `owner`'s on `customerOwner`'s customer (made by the admin when they differ). */
    async contract(owner: DemoUser, customerOwner: DemoUser = owner): Promise<number> {
      const by = owner === customerOwner ? owner : 'admin';
      const location = await expectRedirect(
        postForm(agents[by], '/contracts', {
          customer_id: customerOf(customerOwner), title: label(owner, 'contract'), currency: 'CNY',
          'items[0][product_name]': 'Service', 'items[0][quantity]': '1', 'items[0][unit_price]': '1000',
          ...(by === owner ? {} : { owner_id: await t.userId(owner) }),
        }),
        `${by} creates a contract for ${owner}`,
      );
      return idIn(location, /^\/contracts\/(\d+)$/, 'contract');
    },

    /** Sent to approval by its owner. */
    async pendingContract(owner: DemoUser): Promise<number> {
      const id = await make.contract(owner);
      await expectRedirect(postForm(agents[owner], `/contracts/${id}/submit`, { version: await version('contracts', id) }), `${owner} submits contract ${id}`);
      return id;
    },

    /** Sent by its owner and approved by the owner's approver. */
    async approvedContract(owner: DemoUser): Promise<number> {
      const approver = APPROVER_OF[owner];
      if (!approver) throw new Error(`Fixture: nobody approves ${owner}'s contracts`);
      const id = await make.pendingContract(owner);
      await expectRedirect(postForm(agents[approver], `/contracts/${id}/approve`, { version: await version('contracts', id) }), `${approver} approves contract ${id}`);
      return id;
    },

    /** A plan of `amount` on a contract, added by `by` (the contract's owner by default). */
    async plan(owner: DemoUser, contractId: number, amount = '10.00', by: DemoUser = owner): Promise<number> {
      const remark = label(owner, 'plan');
      await expectRedirect(
        postForm(agents[by], `/contracts/${contractId}/plans`, { due_date: day(3), amount, remark }),
        `${by} adds a plan to contract ${contractId}`,
      );
      return (await t.db('payment_plans').where({ contract_id: contractId, remark }).first('id')).id;
    },

    /**
     * One of each record per owner, and on every customer but the admin's, records of the admin's
     * (an opportunity, a quote tied to it, a contract with a plan, a follow-up naming the opportunity):
     * the customer's owner sees the customer, never the admin's records on it, on any page or picker.
     */
    async ownerRecords(): Promise<Record<DemoUser, OwnerRecords>> {
      const records = {} as Record<DemoUser, OwnerRecords>;
      for (const owner of DEMO_USERS) {
        customers[owner] = await make.customer(owner, { next_follow_up_at: localTime(-1) });
        const contract = await make.contract(owner);
        const approved = APPROVER_OF[owner] ? await make.approvedContract(owner) : null;
        const opportunity = await make.opportunity(owner);
        records[owner] = {
          customer: customers[owner],
          contact: await make.contact(owner),
          visit: await make.visit(owner),
          opportunity,
          quote: await make.quote(owner, owner, { opportunity_id: opportunity }),
          contract,
          plan: await make.plan(owner, contract),
          approved,
          approvedPlan: approved ? await make.plan(owner, approved, '500.00') : null,
          admin: null,
        };
        await make.followup(owner, { opportunity_id: opportunity });
      }
      for (const owner of DEMO_USERS.filter((u) => u !== 'admin')) {
        const opportunity = await make.opportunity('admin', stages.open, owner);
        const quote = await make.quote('admin', owner, { opportunity_id: opportunity });
        const contract = await make.contract('admin', owner);
        const plan = await make.plan('admin', contract, '10.00', 'admin');
        await make.followup(owner, { opportunity_id: opportunity }, 'admin');
        records[owner].admin = { opportunity, quote, contract, plan };
      }
      return records;
    },
  };
  return make;
}
