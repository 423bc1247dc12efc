export type Direction = 'up' | 'down';

/**
 * Moves one row a place up or down in a list ordered by `sort`, then numbers the whole list in
 * steps of ten: swapping two numbers alone can jump over a row that shares one of them. `save` is
 * called (inside the caller's transaction, which also audits) for each row whose number changes.
 */
export async function moveInOrder<T extends { id: number; sort: number }>(
  order: T[],
  id: number,
  direction: Direction,
  save: (row: T, sort: number) => Promise<void>,
): Promise<void> {
  const rows = [...order];
  const from = rows.findIndex((row) => row.id === id);
  const to = direction === 'up' ? from - 1 : from + 1;
  if (from < 0 || to < 0 || to >= rows.length) return;
  [rows[from], rows[to]] = [rows[to], rows[from]];
  for (const [index, row] of rows.entries()) {
    const sort = (index + 1) * 10;
    if (row.sort !== sort) await save(row, sort);
  }
}
