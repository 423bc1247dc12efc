import { generateCustomer } from '../seeds/customer-generator.js';
import { sqlLiteral as sql } from './sql-literal.js';

// The benchmark's customers as rows of a multi-row INSERT: seeds/customer-generator.ts supplies the
// names and codes; this adds an owner and dates spread the way a three-year-old CRM has them.
export const CUSTOMER_COLUMNS = [
  'id', 'kind', 'name', 'company', 'phone', 'email', 'industry', 'source', 'level', 'status', 'region',
  'owner_id', 'created_by', 'last_contact_at', 'next_follow_up_at', 'version', 'deleted_at', 'created_at', 'updated_at',
] as const;

export const DAY = 24 * 3600 * 1000;
const HISTORY = 3 * 365 * DAY;

/** A number in [0, 1) hashed from n: the dates are deterministic but not correlated with the id. */
export function mix(n: number, salt: number): number {
  let h = Math.imul(n ^ salt, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 0x1_0000_0000;
}

/** Customer n's owner and dates (ms since the epoch): what its follow-ups and opportunities hang on. */
export type CustomerFacts = {
  id: number;
  ownerId: number;
  created: number;
  updated: number;
  lastContact: number | null;
  nextFollowUp: number | null;
  deleted: number | null;
};

/**
 * Customer n (0-based; its id is n + 1): created in id order over three years; updated at some time
 * since; 85% contacted; 55% with a follow-up planned from a month ago to two months ahead; 1% deleted.
 */
export function customerFacts(n: number, total: number, ownerIds: number[], now: number): CustomerFacts {
  const created = now - HISTORY + Math.floor((n / total) * HISTORY);
  const updated = created + Math.floor(mix(n, 1) * (now - created));
  return {
    id: n + 1,
    ownerId: ownerIds[n % ownerIds.length],
    created,
    updated,
    lastContact: mix(n, 2) < 0.15 ? null : created + Math.floor(mix(n, 3) * (updated - created)),
    nextFollowUp: mix(n, 4) < 0.45 ? null : now + Math.floor((mix(n, 5) * 90 - 30) * DAY),
    deleted: n % 100 === 99 ? updated : null,
  };
}

/**
 * The values tuple of customer n, in CUSTOMER_COLUMNS order, followed by its owner's branch
 * (customers.owner_branch_id) when the schema has that column.
 */
export function customerValues(n: number, facts: CustomerFacts, ownerBranchId?: number): string {
  const c = generateCustomer(n);
  const values = [
    sql(facts.id, 'number'), sql(c.kind), sql(c.name), sql(c.company || null), sql(c.phone), sql(c.email),
    sql(c.industry), sql(c.source), sql(c.level), sql(c.status), sql(c.region),
    sql(facts.ownerId, 'number'), sql(facts.ownerId, 'number'), sql(facts.lastContact, 'time'), sql(facts.nextFollowUp, 'time'), '1',
    sql(facts.deleted, 'time'), sql(facts.created, 'time'), sql(facts.updated, 'time'),
  ];
  if (ownerBranchId !== undefined) values.push(String(ownerBranchId));
  return `(${values.join(',')})`;
}
