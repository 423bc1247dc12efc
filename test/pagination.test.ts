import { describe, expect, it } from 'vitest';
import { COUNT_CAP, impliedTotal, parsePage } from '../src/shared/pagination.js';

describe('the total a page proves without counting', () => {
  const page = (n: number) => parsePage({ page: String(n) }); // 20 per page

  it('is exact on a partly filled page, including an empty first page', () => {
    expect(impliedTotal(page(1), 5)).toBe(5);
    expect(impliedTotal(page(1), 0)).toBe(0);
    expect(impliedTotal(page(3), 20)).toBe(60);
  });

  it('is capped once the rows read reach past the cap', () => {
    expect(impliedTotal(page(500), 21)).toBe(COUNT_CAP + 1);
    expect(impliedTotal(page(500), 20)).toBe(COUNT_CAP); // exactly 10,000: the last page
  });

  it('is unknown for a full page below the cap, or a page past the end', () => {
    expect(impliedTotal(page(1), 21)).toBeUndefined();
    expect(impliedTotal(page(7), 0)).toBeUndefined();
  });
});
