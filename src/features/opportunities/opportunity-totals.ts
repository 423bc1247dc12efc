import type { Knex } from 'knex';
import { fromCents, percentOf, toCents, wholeCents, type Cents } from '../../shared/money.js';

// Totals of many opportunities, summed by the database in whole cents so they stay exact on both
// dialects (SQLite keeps DECIMAL as a float; rounding each amount to its cents before adding makes
// every addend an exact integer). The weighted amount of each row is rounded to the cent, half up,
// before it is added, so a column's weighted total is the sum of its cards' weighted amounts:
// 100.10 at 10% (10.01) + 33.33 at 30% (9.999 → 10.00) = 20.01.

/** Select list for one group: count, amount in cents, weighted amount in cents. */
export function totalColumns(db: Knex, table = 'opportunities'): Knex.Raw[] {
  const cents = `round(${table}.amount * 100)`;
  return [
    db.raw('count(*) as n'),
    db.raw(`sum(${cents}) as amount_cents`),
    db.raw(`sum(floor((${cents} * ${table}.probability + 50) / 100)) as weighted_cents`),
  ];
}

export type TotalRow = { currency: string; n: number | string; amount_cents: number | string | null; weighted_cents: number | string | null };

export type CurrencyTotal = { currency: string; count: number; amount: string; weighted: string };

/** Rows grouped by currency (and possibly more keys) → one total per currency, in currency order. */
export function totalsByCurrency(rows: TotalRow[]): CurrencyTotal[] {
  const byCurrency = new Map<string, { count: number; amount: Cents; weighted: Cents }>();
  for (const row of rows) {
    const total = byCurrency.get(row.currency) ?? { count: 0, amount: 0n, weighted: 0n };
    total.count += Number(row.n);
    total.amount += wholeCents(row.amount_cents);
    total.weighted += wholeCents(row.weighted_cents);
    byCurrency.set(row.currency, total);
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, t]) => ({ currency, count: t.count, amount: fromCents(t.amount), weighted: fromCents(t.weighted) }));
}

/** One opportunity's weighted amount, as its card shows it. */
export function weightedAmount(amount: string | number, probability: number): string {
  return fromCents(percentOf(toCents(amount), Number(probability)));
}

/** An amount as the database answered it → "1234.50" for display. */
export function amountText(amount: string | number | null | undefined): string {
  return fromCents(toCents(amount));
}
