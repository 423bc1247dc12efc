import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import '../src/features/entities.js';
import { registeredEntities } from '../src/kernel/entity/registry.js';

// A *.plan.ts file may apply data scope itself (the lint rule [scope-applier] lets it import the
// applier). So each must be a read plan an entity declares: no plan file to slip a query past the rule.

function planFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const file = path.join(dir, d.name);
    return d.isDirectory() ? planFiles(file) : d.name.endsWith('.plan.ts') ? [file] : [];
  });
}

describe('read plans', () => {
  it('every *.plan.ts exports only plans a registered entity declares', async () => {
    const declared = new Set(registeredEntities().map((e) => e.list?.plan).filter(Boolean));
    const files = planFiles('src');
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const exported = Object.values(await import(pathToFileURL(path.resolve(file)).href)).filter((v) => typeof v === 'function');
      expect(exported.length, file).toBeGreaterThan(0);
      for (const fn of exported) expect(declared.has(fn as never), `${file}: ${(fn as { name: string }).name}`).toBe(true);
    }
  });
});
