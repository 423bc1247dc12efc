import type { Knex } from 'knex';
import { hashPassword } from '../src/auth/passwords.js';
import { toDbTime } from '../src/db/time.js';

// The benchmark's company: 5 regions with one sub-team each (10 departments) and 200 users, 20 per
// department: an admin, a manager per department, and reps. Customers belong to managers and reps.
export const BENCH_PASSWORD = 'bench1234';
const REGIONS = 5;
const USERS_PER_DEPARTMENT = 20;

export type Organisation = {
  /** Everyone who owns customers, in the order customers are dealt out. */
  ownerIds: number[];
  /** Each owner's branch (top-level department; 0 without one), in ownerIds order. */
  branchIds: number[];
  /** The three accounts the benchmark logs in as. */
  logins: { rep: string; manager: string; admin: string };
};

export const BENCH_LOGINS = { rep: 'rep001', manager: 'manager01', admin: 'admin' } as const;

export async function createOrganisation(db: Knex): Promise<Organisation> {
  const now = toDbTime();
  // One hash for everyone: bcrypt at cost 12 takes a quarter of a second per call.
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const roles: Array<{ id: number; code: string }> = await db('roles').select('id', 'code');
  const roleId = (code: string) => roles.find((r) => r.code === code)!.id;

  const departmentIds: number[] = [];
  for (let region = 1; region <= REGIONS; region++) {
    const department = (name_zh: string, name_en: string, parent_id: number | null, sort: number) =>
      db('departments').insert({ name_zh, name_en, parent_id, sort, created_at: now, updated_at: now });
    const [regionId] = await department(`销售${region}区`, `Sales Region ${region}`, null, region * 10);
    const [teamId] = await department(`销售${region}区二组`, `Region ${region} Team 2`, regionId, region * 10 + 1);
    departmentIds.push(regionId, teamId);
  }

  const users: Array<Record<string, unknown>> = [];
  const user = (username: string, display_name: string, role: string, departmentId: number) =>
    users.push({
      username,
      display_name,
      password_hash: passwordHash,
      email: `${username}@bench.example.com`,
      role_id: roleId(role),
      department_id: departmentId,
      time_zone: 'Asia/Shanghai',
      is_active: true,
      created_at: now,
      updated_at: now,
    });
  let rep = 0;
  for (const [index, departmentId] of departmentIds.entries()) {
    if (index === 0) user('admin', '系统管理员', 'admin', departmentId);
    const manager = String(index + 1).padStart(2, '0');
    user(`manager${manager}`, `经理${manager}`, 'manager', departmentId);
    const reps = USERS_PER_DEPARTMENT - (index === 0 ? 2 : 1);
    for (let i = 0; i < reps; i++) {
      const code = String(++rep).padStart(3, '0');
      user(`rep${code}`, `代表${code}`, 'rep', departmentId);
    }
  }
  await db('users').insert(users);
  return organisationOf(db);
}

/** The organisation as stored, for a database filled by an earlier run. */
export async function organisationOf(db: Knex): Promise<Organisation> {
  const owners: Array<{ id: number; department_id: number | null }> = await db('users as u')
    .join('roles as r', 'r.id', 'u.role_id')
    .whereIn('r.code', ['manager', 'rep'])
    .orderBy('u.id')
    .select('u.id', 'u.department_id');
  const departments: Array<{ id: number; parent_id: number | null }> = await db('departments').select('id', 'parent_id');
  const parentOf = new Map(departments.map((d) => [d.id, d.parent_id]));
  const branchOf = (departmentId: number | null): number => {
    let id = departmentId;
    while (id !== null && parentOf.get(id) != null) id = parentOf.get(id)!;
    return id ?? 0;
  };
  return { ownerIds: owners.map((o) => o.id), branchIds: owners.map((o) => branchOf(o.department_id)), logins: BENCH_LOGINS };
}
