import type { Knex } from 'knex';

// A manager sees the customers of every user in their department tree: 40 owners of 200 at the
// benchmark's scale. Walking the updated_at index and checking each entry's owner, page 500 of such
// a list read 51,000 index entries (14 ms of MariaDB time per request). Every such tree lies inside
// one top-level department, its branch: with the owner's branch stored on the customer and an
// index that starts with it, the same page reads the 10,000 entries it skips and no more.
//
// owner_branch_id is a copy, kept by the application wherever a customer's owner or a user's
// department changes (src/authz/branch.ts); 0 means "owner without a department". NOT NULL with no
// default, so a writer that forgets it fails at once instead of hiding customers from managers.
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('customers', 'owner_branch_id'))) {
    await knex.schema.alterTable('customers', (t) => {
      t.integer('owner_branch_id').unsigned().notNullable().defaultTo(0);
    });
  }
  const departments: Array<{ id: number; parent_id: number | null }> = await knex('departments').select('id', 'parent_id');
  const parentOf = new Map(departments.map((d) => [d.id, d.parent_id]));
  const branchOf = (departmentId: number | null): number => {
    let id = departmentId;
    for (let depth = 0; id !== null && parentOf.get(id) != null && depth < 100; depth++) id = parentOf.get(id)!;
    return id ?? 0;
  };
  const users: Array<{ id: number; department_id: number | null }> = await knex('users').select('id', 'department_id');
  for (const user of users) {
    const branch = branchOf(user.department_id);
    if (branch !== 0) await knex('customers').where('owner_id', user.id).update({ owner_branch_id: branch });
  }
  // The default only served the rows above; from now on every insert names the branch.
  await knex.schema.alterTable('customers', (t) => {
    t.integer('owner_branch_id').unsigned().notNullable().alter({ alterNullable: false });
    t.index(['owner_branch_id', 'deleted_at', 'updated_at', 'id', 'owner_id'], 'customers_branch_updated_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropIndex(['owner_branch_id', 'deleted_at', 'updated_at', 'id', 'owner_id'], 'customers_branch_updated_at');
    t.dropColumn('owner_branch_id');
  });
}
