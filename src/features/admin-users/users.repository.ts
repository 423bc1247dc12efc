import type { Knex } from 'knex';
import { insertRow, likePattern } from '../../db/sql.js';
import { toDbTime } from '../../db/time.js';
import { pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import { updateIfVersion } from '../../shared/version.js';
import type { UserListQuery, UserSortColumn } from './users.schema.js';

export type UserRow = {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  role_id: number;
  department_id: number | null;
  locale: string | null;
  is_active: number | boolean;
  last_login_at: string | null;
  failed_logins: number;
  locked_until: string | null;
  /** Counted up by every admin change to the account; an edit form made on an older one is a 409. */
  version: number;
  created_at: string;
  updated_at: string;
};

/** A user as the admin pages show it: with the role and department names, never the password hash. */
export type UserListRow = UserRow & {
  role_code: string;
  role_name_zh: string;
  role_name_en: string;
  department_name_zh: string | null;
  department_name_en: string | null;
};

export type RoleRow = { id: number; code: string; name_zh: string; name_en: string; data_scope: string };
export type DepartmentRow = { id: number; name_zh: string; name_en: string; parent_id: number | null };

const USER_COLUMNS = [
  'u.id', 'u.username', 'u.display_name', 'u.email', 'u.phone', 'u.role_id', 'u.department_id', 'u.locale',
  'u.is_active', 'u.last_login_at', 'u.failed_logins', 'u.locked_until', 'u.version', 'u.created_at', 'u.updated_at',
  'r.code as role_code', 'r.name_zh as role_name_zh', 'r.name_en as role_name_en',
  'd.name_zh as department_name_zh', 'd.name_en as department_name_en',
];

// created_at follows id, so "newest first" is read in primary-key order.
const sortColumn: Record<UserSortColumn, string> = {
  username: 'u.username',
  display_name: 'u.display_name',
  last_login_at: 'u.last_login_at',
  created_at: 'u.id',
};

// Admin pages see every user: there is no data scope here, the route's admin.users key is the guard.
export function userRepository(db: Knex) {
  function withNames(): Knex.QueryBuilder {
    return db('users as u').join('roles as r', 'r.id', 'u.role_id').leftJoin('departments as d', 'd.id', 'u.department_id');
  }

  function filtered(filters: UserListQuery): Knex.QueryBuilder {
    const query = withNames();
    if (filters.q) {
      // The users table is small enough to match anywhere in the text.
      const pattern = likePattern(filters.q, 'contains');
      query.where((w) =>
        w.whereRaw("u.username like ? escape '!'", [pattern]).orWhereRaw("u.display_name like ? escape '!'", [pattern]),
      );
    }
    if (filters.role_id) query.where('u.role_id', filters.role_id);
    if (filters.status === 'active') query.where('u.is_active', true);
    if (filters.status === 'inactive') query.where('u.is_active', false);
    if (filters.status === 'locked') query.where('u.locked_until', '>', toDbTime());
    return query;
  }

  return {
    async roles(): Promise<RoleRow[]> {
      return db('roles').orderBy('id').select('id', 'code', 'name_zh', 'name_en', 'data_scope');
    },

    async departments(): Promise<DepartmentRow[]> {
      return db('departments').orderBy([{ column: 'sort' }, { column: 'id' }]).select('id', 'name_zh', 'name_en', 'parent_id');
    },

    async list(filters: UserListQuery, page: PageRequest): Promise<Page<UserListRow>> {
      const rows: UserListRow[] = await filtered(filters)
        .select(USER_COLUMNS)
        .orderBy([
          { column: sortColumn[filters.sort], order: filters.dir },
          { column: 'u.id', order: filters.dir },
        ])
        .limit(page.perPage + 1)
        .offset(page.offset);
      const counted = await filtered(filters).count({ n: '*' }).first();
      return pageOf(rows.slice(0, page.perPage), page, Number(counted?.n ?? 0), rows.length > page.perPage);
    },

    async findById(id: number): Promise<UserListRow | undefined> {
      return withNames().where('u.id', id).first(USER_COLUMNS);
    },

    /** Usernames are compared without case, as MySQL's collation (and so the unique index) does. */
    async usernameTaken(username: string): Promise<boolean> {
      const row = await db('users').whereRaw('lower(username) = ?', [username.toLowerCase()]).first('id');
      return !!row;
    },

    async insert(
      trx: Knex.Transaction,
      row: Omit<UserRow, 'id' | 'last_login_at' | 'failed_logins' | 'locked_until' | 'locale' | 'version'> & { password_hash: string },
    ): Promise<number> {
      return insertRow(trx, 'users', row);
    },

    /** Writes only if the version still matches, counting it up; 0 means someone else saved first. */
    updateIfVersion(
      trx: Knex.Transaction,
      id: number,
      version: number,
      changes: Partial<Omit<UserRow, 'id' | 'version'>> & { password_hash?: string },
    ): Promise<number> {
      return updateIfVersion(trx, 'users', id, version, { ...changes, updated_at: toDbTime() });
    },
  };
}

export type UserRepository = ReturnType<typeof userRepository>;
