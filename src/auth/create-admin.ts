import type { Knex } from 'knex';
import { toDbTime } from '../db/time.js';
import { hashPassword } from './passwords.js';

/** The first administrator of an installation that has no demo data. */
export async function createAdmin(db: Knex, username: string | undefined, password: string | undefined): Promise<void> {
  if (!username || !/^[A-Za-z0-9_.-]{3,64}$/.test(username)) {
    throw new Error('Give a username of 3 to 64 letters, digits, ".", "_" or "-".');
  }
  if (!password || password.length < 8) throw new Error('Set ADMIN_PASSWORD to at least 8 characters.');
  if (await db('users').where({ username }).first('id')) throw new Error(`User ${username} already exists.`);
  const role = await db('roles').where({ code: 'admin' }).first('id');
  const now = toDbTime();
  await db('users').insert({
    username,
    password_hash: await hashPassword(password),
    display_name: username,
    role_id: role.id,
    time_zone: 'Asia/Shanghai',
    is_active: true,
    created_at: now,
    updated_at: now,
  });
}
