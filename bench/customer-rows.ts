import mysql from 'mysql2';
import { generateCustomer } from '../seeds/customer-generator.js';
import { toDbTime } from '../src/db/time.js';

// The benchmark's customers as rows of a multi-row INSERT: seeds/customer-generator.ts supplies the
// names and codes; this adds an owner and dates spread the way a three-year-old CRM has them.
export const CUSTOMER_COLUMNS = [
  'id', 'kind', 'name', 'company', 'phone', 'email', 'industry', 'source', 'level', 'status', 'region',
  'owner_id', 'created_by', 'last_contact_at', 'next_follow_up_at', 'version', 'deleted_at', 'created_at', 'updated_at',
] as const;

const DAY = 24 * 3600 * 1000;
const HISTORY = 3 * 365 * DAY;

/** A number in [0, 1) hashed from n: the dates are deterministic but not correlated with the id. */
function mix(n: number, salt: number): number {
  let h = Math.imul(n ^ salt, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 0x1_0000_0000;
}

/** A value as SQL: a string quoted and escaped, a time as 'YYYY-MM-DD HH:MM:SS' (UTC), null as NULL. */
function sql(value: string | number | null, kind: 'text' | 'time' | 'number' = 'text'): string {
  if (value === null) return 'NULL';
  if (kind === 'time') return `'${toDbTime(new Date(value))}'`;
  return kind === 'number' ? String(value) : mysql.escape(value);
}

/**
 * The values tuple of customer n (0-based; its id is n + 1), in CUSTOMER_COLUMNS order. Created in id
 * order over three years; updated at some time since; 85% contacted; 55% with a follow-up planned from
 * a month ago to two months ahead; 1% deleted.
 */
export function customerValues(n: number, total: number, ownerIds: number[], now: number): string {
  const c = generateCustomer(n);
  const owner = ownerIds[n % ownerIds.length];
  const created = now - HISTORY + Math.floor((n / total) * HISTORY);
  const updated = created + Math.floor(mix(n, 1) * (now - created));
  const lastContact = mix(n, 2) < 0.15 ? null : created + Math.floor(mix(n, 3) * (updated - created));
  const followUp = mix(n, 4) < 0.45 ? null : now + Math.floor((mix(n, 5) * 90 - 30) * DAY);
  const deleted = n % 100 === 99 ? updated : null;
  const values = [
    sql(n + 1, 'number'), sql(c.kind), sql(c.name), sql(c.company || null), sql(c.phone), sql(c.email),
    sql(c.industry), sql(c.source), sql(c.level), sql(c.status), sql(c.region),
    sql(owner, 'number'), sql(owner, 'number'), sql(lastContact, 'time'), sql(followUp, 'time'), '1',
    sql(deleted, 'time'), sql(created, 'time'), sql(updated, 'time'),
  ];
  return `(${values.join(',')})`;
}
