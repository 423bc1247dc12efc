import type { AnyEntity } from './define-entity.js';

// Every entity, by name. References between entities go through here, so definitions may name
// each other without importing each other; later the recycle bin, audit pages, import and the API
// read the same list.

const byName = new Map<string, AnyEntity>();

export function registerEntities(entities: readonly AnyEntity[]): void {
  for (const e of entities) byName.set(e.name, e);
}

export function entityNamed(name: string): AnyEntity {
  const e = byName.get(name);
  if (!e) throw new Error(`Unknown entity ${name}`);
  return e;
}

export function registeredEntities(): AnyEntity[] {
  return [...byName.values()];
}
