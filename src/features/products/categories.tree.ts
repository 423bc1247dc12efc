import type { Knex } from 'knex';

type CategoryRow = { id: number; parent_id: number | null; name_zh: string; name_en: string; sort: number; version: number };

/** A category in tree order, with its depth, for indented lists and pickers. */
type TreeNode = CategoryRow & { depth: number; label: string };

const categoryLabel = (row: Pick<CategoryRow, 'name_zh' | 'name_en'>, locale: string) => (locale === 'en' ? row.name_en : row.name_zh);

/** All categories: a tree of some dozens of rows, read whole, siblings in their order. */
export function readCategories(db: Knex): Promise<CategoryRow[]> {
  return db('product_categories').orderBy([{ column: 'sort' }, { column: 'id' }]).select('id', 'parent_id', 'name_zh', 'name_en', 'sort', 'version');
}

function childrenByParent(rows: readonly CategoryRow[]): Map<number | null, CategoryRow[]> {
  const children = new Map<number | null, CategoryRow[]>();
  for (const row of rows) children.set(row.parent_id, [...(children.get(row.parent_id) ?? []), row]);
  for (const list of children.values()) list.sort((a, b) => a.sort - b.sort || a.id - b.id);
  return children;
}

/** Depth-first, siblings by `sort`: the order the tree is shown in everywhere. */
export function flattenTree(rows: readonly CategoryRow[], locale: string): TreeNode[] {
  const children = childrenByParent(rows);
  const result: TreeNode[] = [];
  const seen = new Set<number>();
  const visit = (parentId: number | null, depth: number) => {
    for (const row of children.get(parentId) ?? []) {
      if (seen.has(row.id)) continue; // a cycle cannot be made through the UI; never loop on one
      seen.add(row.id);
      result.push({ ...row, depth, label: categoryLabel(row, locale) });
      visit(row.id, depth + 1);
    }
  };
  visit(null, 0);
  return result;
}

/** A category and every category below it: the product filter includes sub-categories. */
export function subtreeIds(rows: readonly CategoryRow[], rootId: number): number[] {
  const children = childrenByParent(rows);
  const result: number[] = [];
  const queue = [rootId];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (result.includes(id)) continue;
    result.push(id);
    queue.push(...(children.get(id) ?? []).map((c) => c.id));
  }
  return result;
}

/**
 * The tree as select options, each label indented by its depth (non-breaking spaces survive in
 * <option>); without `movingId` and everything below it, where a category picks its parent.
 */
export async function categoryOptions(db: Knex, locale: string, movingId?: number): Promise<Array<{ value: string; label: string }>> {
  const rows = await readCategories(db);
  const excluded = new Set(movingId ? subtreeIds(rows, movingId) : []);
  return flattenTree(rows, locale)
    .filter((n) => !excluded.has(n.id))
    .map((n) => ({ value: String(n.id), label: `${'\u00a0\u00a0\u00a0'.repeat(n.depth)}${n.label}` }));
}

/** A category and the ones below it, for the product list's filter. */
export const categoryAndBelow = async (db: Knex, id: number) => subtreeIds(await readCategories(db), id);
