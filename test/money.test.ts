import { describe, expect, it } from 'vitest';
import { fromCents, lineAmounts, parseAmountInput, percentOf, sumCents, toCents } from '../src/shared/money.js';
import { parseId } from '../src/shared/ids.js';
import { isCalendarDate, isLocalDateTime } from '../src/shared/dates.js';

describe('money in cents', () => {
  it('reads what MySQL (strings) and SQLite (numbers) return', () => {
    expect(toCents('33.33')).toBe(3333n);
    expect(toCents(33.33)).toBe(3333n);
    expect(toCents('12.345')).toBe(1235n);
    expect(toCents('7')).toBe(700n);
    expect(toCents(null)).toBe(0n);
    expect(() => toCents('1,000')).toThrow();
  });

  it('prices 3 × 33.33 with a 10% discount at exactly 89.99', () => {
    const line = lineAmounts('3', '33.33', '10');
    expect(fromCents(line.gross)).toBe('99.99');
    expect(fromCents(line.net)).toBe('89.99');
    expect(fromCents(line.discount)).toBe('10.00');
  });

  it('adds amounts floating point would get wrong', () => {
    expect(fromCents(sumCents(['0.10', '0.20', 0.3]))).toBe('0.60');
    expect(fromCents(sumCents(Array.from({ length: 1000 }, () => '0.01')))).toBe('10.00');
  });

  it('weights an amount by a probability', () => {
    expect(fromCents(percentOf(toCents('1000.01'), 30))).toBe('300.00');
    expect(fromCents(percentOf(toCents('999.99'), 50))).toBe('500.00');
  });
});

describe('amounts as people type them (parseAmountInput)', () => {
  const cents = (typed: string) => {
    const parsed = parseAmountInput(typed);
    return parsed.ok ? parsed.cents : parsed.key;
  };

  it('reads separators, a currency sign and full-width digits exactly', () => {
    expect(cents('1,200')).toBe(120000n);
    expect(cents('1 200')).toBe(120000n);
    expect(cents('1\u00a0200')).toBe(120000n);
    expect(cents('¥1,200.50')).toBe(120050n);
    expect(cents('￥ 1,200.5')).toBe(120050n);
    expect(cents('1200.5')).toBe(120050n);
    expect(cents('１２００')).toBe(120000n);
    expect(cents('１，２３４，５６７．８９')).toBe(123456789n);
    expect(cents(' 0.10 ')).toBe(10n);
    expect(cents('9,999,999,999,999.99')).toBe(999999999999999n);
  });

  it('refuses what is not an amount, with the reason', () => {
    for (const typed of ['NaN', 'Infinity', '1e5', '0x10', '1,20', '12,34,567', '1..2', '.5', '5.', '+5', '1_000', '١٢٣', '', '¥', '1,200 300']) {
      expect(cents(typed), typed).toBe('validation.money');
    }
    expect(cents('1.005')).toBe('validation.two_decimals');
    expect(cents('-5')).toBe('validation.not_negative');
    expect(cents('−¥5')).toBe('validation.not_negative');
    expect(cents('10000000000000')).toBe('validation.money_too_large');
    expect(cents('9999999999999999.99')).toBe('validation.money_too_large');
  });

  it('reads quantities and percents without a currency sign', () => {
    expect(parseAmountInput('1,000', { currency: false })).toEqual({ ok: true, cents: 100000n });
    expect(parseAmountInput('¥5', { currency: false })).toEqual({ ok: false, key: 'validation.decimal' });
  });

  it('holds the largest amount exactly where SQLite stores a double', () => {
    const largest = Number('9999999999999.99');
    expect(largest.toFixed(2)).toBe('9999999999999.99');
    expect(toCents(largest)).toBe(999999999999999n);
  });
});

describe('ids and dates read in one place', () => {
  it('takes an id only as plain digits within the safe range', () => {
    expect(parseId('16')).toBe(16);
    expect(parseId('9007199254740991')).toBe(9007199254740991);
    for (const bad of ['0x10', '1e1', ' 1', '1 ', '016', '0', '-1', '1.0', 'Infinity', '9007199254740993', '99999999999999999999', '１', '']) {
      expect(parseId(bad), bad).toBeNull();
    }
    expect(parseId(['1'])).toBeNull();
    expect(parseId(1)).toBeNull();
  });

  it('takes dates from 1900 to 2100 that exist', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('1900-01-01')).toBe(true);
    expect(isCalendarDate('2100-12-31')).toBe(true);
    for (const bad of ['2023-02-29', '0100-01-01', '1899-12-31', '2101-01-01', '9999-12-31', '2026-1-1']) expect(isCalendarDate(bad), bad).toBe(false);
    expect(isLocalDateTime('2026-11-21T17:30')).toBe(true);
    for (const bad of ['9999-12-31T23:59', '0100-01-01T00:00', '2026-01-01T24:00', '2026-02-30T10:00']) expect(isLocalDateTime(bad), bad).toBe(false);
  });
});
