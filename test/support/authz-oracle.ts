// The authorization matrix's oracle: who may do what, and whose records they see, written out from
// CONTRACT.md ("Demo data", "Roles and data scope") and the role grants the migrations seed. Nothing
// here imports the application: the matrix compares the app's answers with this, so a change in
// src/ cannot move both sides at once. test/authorization-matrix.test.ts checks the permission sets
// against the role_permissions table, so a new grant is a deliberate edit here.

export const DEMO_USERS = ['admin', 'manager1', 'rep1', 'rep2', 'manager2', 'rep3'] as const;
export type DemoUser = (typeof DEMO_USERS)[number];

/** The permission keys the routes ask for (as stored in role_permissions). */
export type PermissionKey =
  | 'customers.view' | 'customers.create' | 'customers.edit' | 'customers.delete' | 'customers.restore' | 'customers.assign'
  | 'followups.create'
  | 'opportunities.view' | 'opportunities.create' | 'opportunities.edit' | 'opportunities.delete' | 'opportunities.restore'
  | 'products.view'
  | 'quotes.view' | 'quotes.create' | 'quotes.edit'
  | 'contracts.view' | 'contracts.create' | 'contracts.edit' | 'contracts.approve'
  | 'payments.view' | 'payments.create'
  | 'visits.view' | 'visits.create' | 'visits.edit' | 'visits.delete' | 'visits.restore'
  | 'admin.users' | 'admin.dictionaries' | 'admin.products' | 'admin.stages' | 'admin.settings';

const REP: PermissionKey[] = [
  'customers.view', 'customers.create', 'customers.edit', 'customers.delete',
  'followups.create',
  'opportunities.view', 'opportunities.create', 'opportunities.edit', 'opportunities.delete',
  'products.view',
  'quotes.view', 'quotes.create', 'quotes.edit',
  'contracts.view', 'contracts.create', 'contracts.edit',
  'payments.view', 'payments.create',
  'visits.view', 'visits.create', 'visits.edit', 'visits.delete',
];
const MANAGER: PermissionKey[] = [...REP, 'customers.restore', 'customers.assign', 'opportunities.restore', 'contracts.approve', 'visits.restore'];
const ADMIN: PermissionKey[] = [...MANAGER, 'admin.users', 'admin.dictionaries', 'admin.products', 'admin.stages', 'admin.settings'];

export type RoleCode = 'admin' | 'manager' | 'rep';
export const ROLE_PERMISSIONS: Record<RoleCode, ReadonlySet<PermissionKey>> = {
  admin: new Set(ADMIN),
  manager: new Set(MANAGER),
  rep: new Set(REP),
};

export const ROLE_OF: Record<DemoUser, RoleCode> = {
  admin: 'admin',
  manager1: 'manager',
  rep1: 'rep',
  rep2: 'rep',
  manager2: 'manager',
  rep3: 'rep',
};

export const may = (user: DemoUser, permission: PermissionKey): boolean => ROLE_PERMISSIONS[ROLE_OF[user]].has(permission);

/**
 * Whose records each demo user sees: a rep their own; manager1 the Sales East tree (Sales East and
 * its sub-team East Team 2: manager1, rep1, rep2); manager2 Sales North (manager2, rep3); admin all.
 */
export const VISIBLE_OWNERS: Record<DemoUser, readonly DemoUser[]> = {
  admin: DEMO_USERS,
  manager1: ['manager1', 'rep1', 'rep2'],
  manager2: ['manager2', 'rep3'],
  rep1: ['rep1'],
  rep2: ['rep2'],
  rep3: ['rep3'],
};

export const sees = (user: DemoUser, owner: DemoUser): boolean => VISIBLE_OWNERS[user].includes(owner);

/**
 * The owner of the record a user's "in scope" case acts on: for a manager a rep of the team (rep2
 * sits in the sub-team, so the tree is walked), for the admin someone else's. Each is also the
 * contract approver's case: rep2's contracts go to manager1, rep3's to manager2 (admin decides any).
 */
export const IN_SCOPE_OWNER: Record<DemoUser, DemoUser> = {
  admin: 'rep3',
  manager1: 'rep2',
  manager2: 'rep3',
  rep1: 'rep1',
  rep2: 'rep2',
  rep3: 'rep3',
};

/**
 * The owner of the record a user's "out of scope" case acts on, the nearest neighbour that is still
 * out of reach: rep1 → rep2 (a sub-team of rep1's own department, which their manager sees),
 * rep2 → rep1 (the parent department), rep3 → manager2 (their own department's manager),
 * manager1 → rep3 (the other branch), manager2 → rep2 (a sub-team in the other branch). The admin
 * has no out-of-scope case.
 */
export const OUT_OF_SCOPE_OWNER: Record<DemoUser, DemoUser | null> = {
  admin: null,
  manager1: 'rep3',
  manager2: 'rep2',
  rep1: 'rep2',
  rep2: 'rep1',
  rep3: 'manager2',
};

/** Who approves a contract its owner sent (CONTRACT.md's org: the owner's manager up the tree, else an admin). */
export const APPROVER_OF: Record<DemoUser, DemoUser | null> = {
  admin: null,
  manager1: 'admin',
  rep1: 'manager1',
  rep2: 'manager1',
  manager2: 'admin',
  rep3: 'manager2',
};

export type Access = 'public' | 'login' | PermissionKey;
/**
 * `in`/`out`: the record the route acts on is in / out of the user's scope; `none`: the route acts
 * on no owned record; `foreign`: a record in scope whose request names another record (a plan, an
 * opportunity, a quote) out of the user's scope; `assign`: a record saved with an owner out of the
 * user's scope.
 */
export type Scope = 'in' | 'out' | 'none' | 'foreign' | 'assign';

/**
 * The answer a user should get: no permission 403 (before any lookup); a record out of scope 404
 * (or `outOfScope` where the fixture says why); otherwise `ok` (200 for GET, 303 for POST by default).
 * Owners are assigned with customers.assign, whatever the record (customers, opportunities, contracts).
 */
export function expectedStatus(
  user: DemoUser,
  access: Access,
  scope: Scope,
  answers: { ok: number; outOfScope: number; foreign?: number },
): number {
  if (access !== 'public' && access !== 'login' && !may(user, access)) return 403;
  if (scope === 'out') return answers.outOfScope;
  if (scope === 'foreign') return answers.foreign ?? answers.outOfScope;
  // Handing a record to an owner out of scope: refused as a wrong choice (422) to a user who may
  // assign owners; for one who may not, the owner field is ignored and the save passes.
  if (scope === 'assign') return may(user, 'customers.assign') ? 422 : answers.ok;
  return answers.ok;
}

const CANARY = /CANARY-([a-z0-9]+)-([a-z0-9]+)/g;

/** The owners whose canaries (this run's) a page shows. */
export function canaryOwners(html: string, run: string): Set<string> {
  const owners = new Set<string>();
  for (const m of html.matchAll(CANARY)) if (m[2] === run) owners.add(m[1]);
  return owners;
}

/** Canaries on a page that the user must not see: owners outside their scope. */
export function leakedOwners(user: DemoUser, html: string, run: string): string[] {
  return [...canaryOwners(html, run)].filter((owner) => !VISIBLE_OWNERS[user].includes(owner as DemoUser)).sort();
}
