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

/**
 * The largest amount any money field takes: 9,999,999,999,999.99. The DECIMAL(18,2) columns hold 16
 * digits before the point, but SQLite keeps DECIMAL as a double, which gives back every amount with
 * two decimals exactly only up to 13 digits (at 16, 9999999999999999.99 came back as 1e16). Totals
 * (a line's quantity × price, a document's sum of lines) are held to the same limit.
 */
export const MAX_MONEY_CENTS: Cents = 10n ** 15n - 1n;
/** A quantity or a percent, in hundredths: 12 digits before the point, exact in a double too. */
export const MAX_DECIMAL_HUNDREDTHS = 10n ** 14n - 1n;

export type NumberInput = { ok: true; cents: Cents } | { ok: false; key: string };

const GROUPED = /^\d{1,3}([, ])\d{3}(?:\1\d{3})*$/;
const CURRENCY_SIGN = /^[¥$€£]\s*/;

/**
 * The one reader of a typed amount (money, and quantities and percents with `currency: false`):
 * what a person types is accepted exactly — "1,200", "1 200", "¥1,200.50", "1200.5", and the
 * full-width "１２００．５０" a Chinese IME produces (NFKC folds them to ASCII) — and everything
 * else is refused with the reason: NaN, Infinity, 1e5, 0x10, three decimals, a sign, too large.
 */
export function parseAmountInput(typed: string, options: { currency?: boolean; max?: Cents } = {}): NumberInput {
  const { currency = true, max = MAX_MONEY_CENTS } = options;
  let text = typed.normalize('NFKC').trim();
  let negative = false;
  if (/^[-\u2212]/.test(text)) {
    negative = true;
    text = text.slice(1).trim();
  }
  if (currency) text = text.replace(CURRENCY_SIGN, '');
  if (!negative && /^[-\u2212]/.test(text)) {
    negative = true;
    text = text.slice(1).trim();
  }
  const match = /^([0-9][0-9, ]*)(?:\.([0-9]+))?$/.exec(text);
  if (!match) return { ok: false, key: currency ? 'validation.money' : 'validation.decimal' };
  const [, whole, fraction = ''] = match;
  if (/[, ]/.test(whole) && !GROUPED.test(whole)) return { ok: false, key: currency ? 'validation.money' : 'validation.decimal' };
  if (fraction.length > 2) return { ok: false, key: 'validation.two_decimals' };
  const cents = BigInt(whole.replace(/[, ]/g, '')) * 100n + BigInt(fraction.padEnd(2, '0'));
  if (negative && cents !== 0n) return { ok: false, key: 'validation.not_negative' };
  if (cents > max) return { ok: false, key: currency ? 'validation.money_too_large' : 'validation.decimal_too_large' };
  return { ok: true, cents };
}

/** A zod form field read by parseAmountInput; its value is the canonical "1200.50". */
function amountField(options: { currency: boolean; positive?: boolean; max?: Cents }) {
  return z.string().transform((typed, ctx) => {
    const parsed = parseAmountInput(typed, options);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.key });
      return z.NEVER;
    }
    if (options.positive && parsed.cents <= 0n) {
      ctx.addIssue({ code: 'custom', message: 'validation.positive' });
      return z.NEVER;
    }
    return fromCents(parsed.cents);
  });
}

/** A form field holding an amount of money (zero allowed), as "1200.50". */
export const moneyField = amountField({ currency: true });

/** An amount of money above zero (a payment, an instalment). */
export const positiveMoneyField = amountField({ currency: true, positive: true });

/** A quantity or a percent: two decimals at most, no currency sign. */
export const decimalField = amountField({ currency: false, max: MAX_DECIMAL_HUNDREDTHS });

/** A currency picked from the list opportunities, quotes and contracts share ("cny" is read as CNY). */
export const currencyField = z
  .string({ message: 'validation.choice' })
  .trim()
  .toUpperCase()
  .pipe(z.enum(CURRENCIES, { message: 'validation.currency' }));
