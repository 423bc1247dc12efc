import { describe, expect, it } from 'vitest';
import { fromCents, lineAmounts, percentOf, sumCents, toCents } from '../src/shared/money.js';

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
