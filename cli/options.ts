/** Options shared by several subcommands. */
import { existsSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { configPath, DEFAULT_CONFIG_FILE } from '../config/paths.js';

/**
 * The configuration a command should use: --config or $BAOSONG_CONFIG must exist and be valid;
 * otherwise ./baosong.config.yaml is used when present; otherwise none (built-in defaults).
 * The YAML parser and the schema are loaded only when a file is read.
 */
export async function optionalConfig(explicitPath: string | undefined): Promise<LoadedConfig | null> {
  const explicit = explicitPath !== undefined || Boolean(process.env.BAOSONG_CONFIG);
  const file = configPath(explicit ? { path: explicitPath } : { path: DEFAULT_CONFIG_FILE });
  if (!explicit && !existsSync(file)) return null;
  const { loadConfig } = await import('../config/load.js');
  return loadConfig({ path: file });
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
