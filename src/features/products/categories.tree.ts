import type { Locale } from '../../i18n/i18n.js';

export type CategoryRow = { id: number; parent_id: number | null; name_zh: string; name_en: string; sort: number; version: number };

/** A category in tree order, with its depth, for indented lists and pickers. */
export type TreeNode = CategoryRow & { depth: number; label: string; childCount: number };

export const categoryLabel = (row: Pick<CategoryRow, 'name_zh' | 'name_en'>, locale: Locale) =>
  locale === 'en' ? row.name_en : row.name_zh;

function childrenByParent(rows: readonly CategoryRow[]): Map<number | null, CategoryRow[]> {
  const children = new Map<number | null, CategoryRow[]>();
  for (const row of rows) children.set(row.parent_id, [...(children.get(row.parent_id) ?? []), row]);
  for (const list of children.values()) list.sort((a, b) => a.sort - b.sort || a.id - b.id);
  return children;
}

/** Depth-first, siblings by `sort`: the order the tree is shown in everywhere. */
export function flattenTree(rows: readonly CategoryRow[], locale: Locale): TreeNode[] {
  const children = childrenByParent(rows);
  const result: TreeNode[] = [];
  const seen = new Set<number>();
  const visit = (parentId: number | null, depth: number) => {
    for (const row of children.get(parentId) ?? []) {
      if (seen.has(row.id)) continue; // a cycle cannot be made through the UI; never loop on one
      seen.add(row.id);
      result.push({ ...row, depth, label: categoryLabel(row, locale), childCount: children.get(row.id)?.length ?? 0 });
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

/** Picker options: the label indented by depth (non-breaking spaces survive in <option>). */
export function treeOptions(nodes: readonly TreeNode[]): Array<{ value: string; label: string }> {
  return nodes.map((n) => ({ value: String(n.id), label: `${'\u00a0\u00a0\u00a0'.repeat(n.depth)}${n.label}` }));
}
