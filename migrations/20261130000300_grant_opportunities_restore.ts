import type { Knex } from 'knex';

// Restoring a deleted opportunity is granted to whoever may restore a deleted customer (managers
// and admins in the seeded roles): the same trust, for the other record the recycle bin holds.
const PERMISSION = 'opportunities.restore';

export async function up(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    const roleIds: number[] = await trx('role_permissions').where('permission', 'customers.restore').pluck('role_id');
    for (const roleId of roleIds) {
      if (await trx('role_permissions').where({ role_id: roleId, permission: PERMISSION }).first()) continue;
      await trx('role_permissions').insert({ role_id: roleId, permission: PERMISSION });
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('role_permissions').where('permission', PERMISSION).delete();
}
