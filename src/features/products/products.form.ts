import type { Knex } from 'knex';
import type { Locale } from '../../i18n/i18n.js';
import { typedValues } from '../../shared/request.js';
import { categoryRepository } from './categories.repository.js';
import { flattenTree, treeOptions, type TreeNode } from './categories.tree.js';
import type { ProductRow } from './products.repository.js';
import { PRODUCT_FIELDS } from './products.schema.js';

export type FormValues = Record<string, string>;

export function valuesOfRecord(product: ProductRow): FormValues {
  const values: FormValues = { version: String(product.version) };
  for (const field of PRODUCT_FIELDS) {
    const value = product[field];
    values[field] = field === 'is_active' ? (value ? '1' : '') : String(value ?? '');
  }
  return values;
}

/** What the user typed, kept as typed; an unticked checkbox is simply absent. */
export function valuesOfBody(body: unknown): FormValues {
  return typedValues(body, [...PRODUCT_FIELDS, 'version']);
}

export function newProductValues(): FormValues {
  return { ...valuesOfBody({}), is_active: '1' };
}

/** The category tree, flattened in display order, and as indented picker options. */
export async function categoryTree(db: Knex, locale: Locale): Promise<{ nodes: TreeNode[]; options: Array<{ value: string; label: string }> }> {
  const nodes = flattenTree(await categoryRepository(db).all(), locale);
  return { nodes, options: treeOptions(nodes) };
}
