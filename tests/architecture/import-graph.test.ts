// No value-import cycles in production code: a cycle means a module can be read half-initialised at start
// (and that two modules are one in disguise). Type-only imports and lazy import() are fine.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles } from './import-graph.js';

const scratch = mkdtempSync(join(import.meta.dirname, '.graph-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const root = join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

describe('the import graph', () => {
  it('of baosong’s production code has no value cycle', () => {
    expect(importCycles()).toEqual([]);
  });

  it('finds a cycle through value imports, and none through type-only ones', () => {
    const cyclic = tree('cyclic', {
      'web/server.ts': "import { form } from './form.js';\nexport const MAX = 9;\nexport const s = form;\n",
      'web/form.ts': "import { MAX } from './server.js';\nexport const form = MAX;\n",
    });
    expect(importCycles(cyclic)).toEqual(['web/form.ts → web/server.ts → web/form.ts']);
    const typed = tree('typed', {
      'a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
      'b.ts': "import { type A } from './a.js';\nexport interface B { a?: A }\nexport * from './c.js';\n",
      'c.ts': "export const c = 1;\n",
    });
    expect(importCycles(typed)).toEqual([]);
  });
});
