// What the database said, in the business's terms: a deadlock victim (worth one more try) and a
// unique key that a concurrent write took first (the user's 422 or 409, never a 500). MySQL and
// MariaDB name the violated key; SQLite names its table and columns: both are matched here.

type DriverError = { errno?: number; code?: string; message?: string };

const MYSQL_DEADLOCK = 1213;
const MYSQL_DUPLICATE_ENTRY = 1062;

/** InnoDB chose this transaction as a deadlock victim and rolled it back whole. */
export function isDeadlock(err: unknown): boolean {
  return (err as DriverError | null)?.errno === MYSQL_DEADLOCK;
}

/** A unique key as its migration declared it; `index` when not knex's `<table>_<columns>_unique`. */
export type UniqueKey = { table: string; columns: readonly string[]; index?: string };

/** True when `err` is a unique violation, of `key` when one is given. */
export function isUniqueViolation(err: unknown, key?: UniqueKey): boolean {
  const e = (err as DriverError | null) ?? {};
  const message = e.message ?? '';
  if (e.errno === MYSQL_DUPLICATE_ENTRY) {
    if (!key) return true;
    // MariaDB: "for key 'name'"; MySQL 8: "for key 'table.name'".
    const violated = /for key '(?:[^'.]+\.)?([^']+)'/.exec(message)?.[1];
    return violated === (key.index ?? `${key.table}_${key.columns.join('_')}_unique`);
  }
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    if (!key) return true;
    const failed = /UNIQUE constraint failed: (.+)$/.exec(message)?.[1] ?? '';
    return failed === key.columns.map((c) => `${key.table}.${c}`).join(', ');
  }
  return false;
}
