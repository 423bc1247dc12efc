import { z } from 'zod';

export const PER_PAGE_CHOICES = [20, 50, 100] as const;

// Counting a million rows on every page view is what makes big CRMs slow, so totals are counted
// only up to a cap; past it the page says "10,000+" and still offers the next page.
export const COUNT_CAP = 10_000;

// A search or a filter is for finding a few records: past a thousand matches the page says
// "More than 1,000" and the user narrows it down. Counting a common surname's 40,000 matches up
// to 10,000 cost 8 ms of SQL at a million customers, most of the search's time; up to 1,000, one.
export const SEARCH_COUNT_CAP = 1_000;

const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  per_page: z.coerce
    .number()
    .int()
    .refine((n) => (PER_PAGE_CHOICES as readonly number[]).includes(n))
    .catch(20),
});

export type PageRequest = { page: number; perPage: number; offset: number };

export function parsePage(query: unknown): PageRequest {
  const { page, per_page } = pageQuery.parse(query ?? {});
  return { page, perPage: per_page, offset: (page - 1) * per_page };
}

export type Page<T> = {
  rows: T[];
  page: number;
  perPage: number;
  /** Rows counted, up to the cap (COUNT_CAP or SEARCH_COUNT_CAP; cap + 1 means "more"). */
  total: number;
  totalCapped: boolean;
  hasNext: boolean;
  lastPage: number | null;
};

export function pageOf<T>(rows: T[], request: PageRequest, counted: number, hasNext: boolean, cap = COUNT_CAP): Page<T> {
  const totalCapped = counted > cap;
  const total = totalCapped ? cap : counted;
  return {
    rows,
    page: request.page,
    perPage: request.perPage,
    total,
    totalCapped,
    hasNext,
    lastPage: totalCapped ? null : Math.max(1, Math.ceil(total / request.perPage)),
  };
}

/**
 * The total that the page's own rows already prove, so the count query can be skipped: a partly
 * filled page is the last one, and a page reaching past the cap shows the total is capped.
 * `fetched` includes the one row read past the page to know whether a next page exists.
 * Undefined when only counting can tell: a full page below the cap, or an empty page past the end.
 */
export function impliedTotal(request: PageRequest, fetched: number, cap = COUNT_CAP): number | undefined {
  if (request.offset + fetched > cap) return cap + 1;
  if (fetched > request.perPage) return undefined;
  if (fetched > 0 || request.offset === 0) return request.offset + fetched;
  return undefined;
}
