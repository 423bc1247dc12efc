import { z } from 'zod';

// Money is computed in integer cents (BigInt), never in floating point: 3 × 33.33 less 10% is
// 89.99, not 89.991000000001. The database stores DECIMAL(18,2); MySQL hands it back as a string,
// SQLite as a number, and both go through toCents. Sums over many rows are added here, or rounded
// to cents when SQLite added them in SQL.
export type Cents = bigint;

/** The currencies opportunities, quotes and contracts are written in. */
export const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD', 'JPY', 'GBP'] as const;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** "12.345" → 1235n (half up). Accepts what the database returns (string or number). */
export function toCents(value: string | number | bigint | null | undefined): Cents {
  if (value === null || value === undefined || value === '') return 0n;
  if (typeof value === 'bigint') return value * 100n;
  const text = typeof value === 'number' ? value.toFixed(6) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new Error(`Not an amount: ${String(value)}`);
  const [, minus, whole, fraction = ''] = match;
  const padded = (fraction + '000').slice(0, 3);
  let cents = BigInt(whole) * 100n + BigInt(padded.slice(0, 2));
  if (Number(padded[2]) >= 5) cents += 1n;
  return minus ? -cents : cents;
}

/** 123456n → "1234.56": the form the database and form fields take. */
export function fromCents(cents: Cents): string {
  const minus = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${minus}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/**
 * A sum the database made of whole cents (`sum(round(amount * 100))`), as it answered it: MySQL
 * "2001" or "2001.00", SQLite 2001. Rounding each amount to its cents before adding makes every
 * addend an exact integer, so the sum is exact on both dialects (SQLite keeps DECIMAL as a float).
 */
export function wholeCents(value: number | string | bigint | null | undefined): Cents {
  if (value === null || value === undefined || value === '') return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.round(value));
  return BigInt(value.trim().split('.')[0] || '0');
}

export function sumCents(values: Iterable<string | number | null | undefined>): Cents {
  let total = 0n;
  for (const value of values) total += toCents(value);
  return total;
}

/** a × b / divisor, rounded half up (all non-negative here: prices, quantities, percents). */
function mulDivRound(a: bigint, b: bigint, divisor: bigint): bigint {
  const product = a * b;
  const quotient = product / divisor;
  return (product % divisor) * 2n >= divisor ? quotient + 1n : quotient;
}

export type LineAmounts = { gross: Cents; discount: Cents; net: Cents };

/**
 * One line of a quote or contract: quantity × unit price less a discount percent, rounded to the
 * cent once, on the net. Quantity and percent have two decimals, so they are read as hundredths.
 */
export function lineAmounts(quantity: string | number, unitPrice: string | number, discountPercent: string | number): LineAmounts {
  const quantityHundredths = toCents(quantity);
  const price = toCents(unitPrice);
  const keptBasisPoints = 10_000n - toCents(discountPercent);
  const gross = mulDivRound(quantityHundredths, price, 100n);
  const net = mulDivRound(quantityHundredths * price, keptBasisPoints, 100n * 10_000n);
  return { gross, discount: gross - net, net };
}

/** amount × percent / 100, to the cent: an opportunity's weighted amount. */
export function percentOf(amount: Cents, percent: number): Cents {
  return mulDivRound(amount, BigInt(Math.round(percent * 100)), 10_000n);
}

/** A form field holding an amount: up to 16 digits and 2 decimals, no sign, no separators. */
export const moneyField = z
  .string()
  .trim()
  .regex(/^\d{1,16}(\.\d{1,2})?$/, { message: 'validation.money' });

/** A quantity or a percent: two decimals at most. */
export const decimalField = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, { message: 'validation.decimal' });
