import type { Knex } from 'knex';
import { hashPassword } from '../src/auth/passwords.js';
import { ownerBranchId } from '../src/authz/data-scope.js';
import { insertRow } from '../src/db/sql.js';
import { toDbTime } from '../src/db/time.js';
import { generateCustomer } from './customer-generator.js';
import { seedDemoSales } from './demo-sales.js';
import { DEMO_DEPARTMENTS, DEMO_PASSWORD, DEMO_USERS } from './demo-directory.js';
import { rebuildCustomerCounts } from '../src/features/customers/customer-counts.js';

export type DemoOptions = {
  customers?: number;
  passwordHash?: string;
  /** Contacts, follow-ups and opportunities for the customers (default true; tests make their own). */
  sales?: boolean;
};

/** Seeds CONTRACT.md's demo organisation and customers; safe to run again (idempotent). */
export async function seedDemo(db: Knex, options: DemoOptions = {}): Promise<void> {
  const passwordHash = options.passwordHash ?? (await hashPassword(DEMO_PASSWORD));
  const now = toDbTime();
  await db.transaction(async (trx) => {
    const departmentIds = new Map<string, number>();
    for (const [sort, d] of DEMO_DEPARTMENTS.entries()) {
      const parentId = d.parent ? departmentIds.get(d.parent)! : null;
      const existing = await trx('departments').where({ name_zh: d.name_zh }).first('id');
      const id =
        existing?.id ??
        (await insertRow(trx, 'departments', {
          name_zh: d.name_zh,
          name_en: d.name_en,
          parent_id: parentId,
          sort,
          created_at: now,
          updated_at: now,
        }));
      departmentIds.set(d.key, id);
    }

    const roles: Array<{ id: number; code: string }> = await trx('roles').select('id', 'code');
    const roleId = (code: string) => roles.find((r) => r.code === code)!.id;
    const repIds: number[] = [];
    for (const u of DEMO_USERS) {
      const existing = await trx('users').where('username', u.username).first('id');
      const id =
        existing?.id ??
        (await insertRow(trx, 'users', {
          username: u.username,
          password_hash: passwordHash,
          display_name: u.display_name,
          email: `${u.username}@demo.example.com`,
          role_id: roleId(u.role),
          department_id: u.department ? departmentIds.get(u.department)! : null,
          time_zone: 'Asia/Shanghai',
          is_active: true,
          created_at: now,
          updated_at: now,
        }));
      if (u.role === 'rep') repIds.push(id);
    }

    const already = await trx('customers').whereIn('owner_id', repIds).count({ n: '*' }).first();
    if (Number(already?.n ?? 0) > 0) return;
    const total = options.customers ?? 200;
    const branchOf = new Map<number, number>();
    for (const id of repIds) branchOf.set(id, await ownerBranchId(trx, id));
    const rows = Array.from({ length: total }, (_, n) => {
      // Blocks of four, so every rep gets Chinese and English, company and individual customers.
      const owner = repIds[Math.floor(n / 4) % repIds.length];
      return {
        ...generateCustomer(n),
        ...contactDates(n),
        owner_id: owner,
        owner_branch_id: branchOf.get(owner)!,
        created_by: owner,
        version: 1,
        created_at: now,
        updated_at: now,
      };
    });
    for (let i = 0; i < rows.length; i += 100) await trx('customers').insert(rows.slice(i, i + 100));
    // Inserted in bulk, not through the customer service: the list's counts are made from them.
    await rebuildCustomerCounts(trx);
    if (options.sales ?? true) {
      const customers: Array<{ id: number }> = await trx('customers').whereIn('owner_id', repIds).select('id');
      await seedDemoSales(trx, customers.map((c) => c.id), now);
    }
  });
}

const DAY = 24 * 3600 * 1000;

// Most demo customers were contacted in the last two months and some are due a call soon, so the
// lists and "not contacted for N days" have something to show.
function contactDates(n: number): { last_contact_at: string | null; next_follow_up_at: string | null } {
  if (n % 5 === 4) return { last_contact_at: null, next_follow_up_at: null };
  const last = new Date(Date.now() - ((n * 37) % 60) * DAY - (n % 9) * 3600 * 1000);
  const next = n % 3 === 0 ? new Date(Date.now() + (((n * 11) % 21) - 7) * DAY) : null;
  return { last_contact_at: toDbTime(last), next_follow_up_at: next ? toDbTime(next) : null };
}

/** Seeds the demo only into a database without users, so a real installation is never touched. */
export async function seedDemoIfEmpty(db: Knex, options: DemoOptions = {}): Promise<boolean> {
  const users = await db('users').count({ n: '*' }).first();
  if (Number(users?.n ?? 0) > 0) return false;
  await seedDemo(db, options);
  return true;
}
