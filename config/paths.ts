/**
 * Files that ship beside the sources and are not compiled (the example configuration, the test server's
 * launcher, the workflow bundle): found from the project's root, whether the code runs from the
 * TypeScript sources or compiled in dist/ (`npm run build`); and which configuration file to read (without
 * loading the YAML parser and the schema, so commands that need no configuration start fast).
 */
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const parent = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** True when this code runs compiled, from dist/. */
export const RUNNING_FROM_DIST = basename(parent) === 'dist';

/** The checkout's root (where package.json is). */
export const PROJECT_ROOT = RUNNING_FROM_DIST ? resolve(parent, '..') : parent;

/** A path under the project's root, e.g. projectFile('config', 'example.yaml'). */
export const projectFile = (...segments: string[]): string => resolve(PROJECT_ROOT, ...segments);

export const DEFAULT_CONFIG_FILE = 'baosong.config.yaml';

export interface LoadConfigOptions {
  /** Explicit path (the --config flag). */
  path?: string;
  /** Environment to read BAOSONG_CONFIG from (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  /** Working directory for relative paths (defaults to process.cwd()). */
  cwd?: string;
}

/** Which file would be read: --config, else $BAOSONG_CONFIG, else ./baosong.config.yaml. */
export function configPath(options: LoadConfigOptions = {}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  return resolve(cwd, options.path ?? (env.BAOSONG_CONFIG || DEFAULT_CONFIG_FILE)); // an empty variable counts as unset
}
