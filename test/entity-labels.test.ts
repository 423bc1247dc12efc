import { describe, expect, it } from 'vitest';
import '../src/features/entities.js';
import { catalog, LOCALES } from '../src/i18n/i18n.js';
import { registeredEntities } from '../src/kernel/entity/registry.js';

// The kernel's pages name every field, flash, title and filter of an entity by a locale key derived
// from the definition; a missing key would show itself on the page. Each must exist in both languages.

function keysOf(): Array<[string, string]> {
  const keys: Array<[string, string]> = [];
  for (const e of registeredEntities()) {
    const add = (key: string) => keys.push([e.name, key]);
    for (const [name, f] of Object.entries(e.fields)) {
      add(e.labelKey(name));
      for (const v of f.enumValues ?? []) add(`${f.enumLabelPrefix}.${v}`);
    }
    if (!e.list) continue;
    for (const k of ['title', 'new', 'new_title', 'edit_title', 'created', 'updated', 'back', 'empty', 'search_placeholder']) add(`${e.plural}.${k}`);
    // An entity nobody may delete (users are deactivated instead) has no delete pages to name.
    if (e.permissions.delete) for (const k of ['delete_title', 'delete_question', 'deleted']) add(`${e.plural}.${k}`);
    if (e.softDelete) add(`${e.plural}.restored`);
    for (const name of Object.keys(e.list.filters ?? {})) add(`${e.plural}.filter.${name}`);
    for (const col of e.list.columns) if (typeof col === 'object' && col.labelKey) add(col.labelKey);
  }
  return keys;
}

describe('entity labels', () => {
  it.each(LOCALES)('every key an entity page shows exists in %s', (locale) => {
    const messages = catalog(locale);
    const missing = keysOf().filter(([, key]) => messages[key] === undefined).map(([entity, key]) => `${entity}: ${key}`);
    expect(keysOf().length).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });
});
