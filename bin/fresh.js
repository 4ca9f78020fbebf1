// Whether the compiled build in dist/ may run instead of the TypeScript sources: it exists and is newer
// than every source it was compiled from. Plain JavaScript: bin/baosong.js asks before anything is loaded.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Written last by `npm run build` (worker/bundle.ts): the build is complete when it exists. */
export const BUILD_MARK = join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
/** Not compiled into dist/ (or not sources at all). */
const SKIP = new Set(['node_modules', 'dist', 'data', 'test-output', 'tests', 'bench']);

/**
 * The first .ts source under dir modified after `since` (ms), if any.
 * @param {string} dir
 * @param {number} since
 * @returns {string | null}
 */
function changedSince(dir, since) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = changedSince(path, since);
      if (found) return found;
    } else if (entry.name.endsWith('.ts') && statSync(path).mtimeMs > since) {
      return path;
    }
  }
  return null;
}

/**
 * null when dist/ is fresh, else why not (for messages). BAOSONG_FROM_SOURCE=1 always says "not fresh".
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string | null}
 */
export function staleBuild(env = process.env) {
  if (env.BAOSONG_FROM_SOURCE) return 'BAOSONG_FROM_SOURCE is set';
  /** @type {number} */
  let built;
  try {
    built = statSync(BUILD_MARK).mtimeMs;
  } catch {
    return 'no build in dist/ (npm run build)';
  }
  const changed = changedSince(PROJECT_ROOT, built);
  return changed ? `${changed} changed after the build` : null;
}
