/**
 * The value-import graph of baosong's production code (type-only imports and lazy `import()` left out: they
 * load nothing at start), and its cycles. Used by import-graph.test.ts; `npx tsx tests/architecture/import-graph.ts`
 * prints the cycles.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Production code: everything but tests, benches, the build, dependencies and the test server (a component of its own). */
const SKIP = new Set(['node_modules', 'dist', 'tests', 'bench', 'scripts', 'temporal-server', 'test-output', 'data', '.git']);

export function productionFiles(dir: string = ROOT): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...productionFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Relative value imports of one file, as repository paths (`web/server.ts`). */
export function valueImports(file: string, root: string = ROOT): string[] {
  const source = readFileSync(file, 'utf8');
  const found: string[] = [];
  // `import x from`, `import { a, type B } from`, `export { a } from`, `export * from`, `import './side-effect'`.
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) {
    if (m[2]) continue; // import type / export type
    const clause = m[3] ?? '';
    // `import { type A, type B } from`: every name type-only.
    const names = /\{([^}]*)\}/.exec(clause)?.[1];
    if (names !== undefined && !/^\s*[\w$]/.test(clause.replace(/^\s*\{/, '')) && names.split(',').every((n) => n.trim() === '' || /^\s*type\s/.test(n))) continue;
    const target = resolve(dirname(file), m[4]!).replace(/\.js$/, '.ts');
    found.push(relative(root, target));
  }
  return found;
}

/** Every elementary cycle's smallest rotation, as `a.ts → b.ts → a.ts`. */
export function importCycles(root: string = ROOT): string[] {
  const graph = new Map(productionFiles(root).map((f) => [relative(root, f), valueImports(f, root)]));
  const cycles = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const done = new Set<string>();
  const visit = (node: string) => {
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (onStack.has(next)) {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.add([...rotated, rotated[0]].join(' → '));
      } else if (!done.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    onStack.delete(node);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) if (!done.has(node)) visit(node);
  return [...cycles].sort();
}

if (process.argv[1] && import.meta.filename === resolve(process.argv[1])) {
  const cycles = importCycles();
  console.log(cycles.length === 0 ? 'no import cycles' : cycles.join('\n'));
}
