/** Options shared by several subcommands. */
import { existsSync } from 'node:fs';
import { configPath, DEFAULT_CONFIG_FILE, loadConfig, type LoadedConfig } from '../config/load.js';

/**
 * The configuration a command should use: --config or $BAOSONG_CONFIG must exist and be valid;
 * otherwise ./baosong.config.yaml is used when present; otherwise none (built-in defaults).
 */
export function optionalConfig(explicitPath: string | undefined): LoadedConfig | null {
  if (explicitPath !== undefined || process.env.BAOSONG_CONFIG) return loadConfig({ path: explicitPath });
  const fallback = configPath({ path: DEFAULT_CONFIG_FILE });
  return existsSync(fallback) ? loadConfig({ path: fallback }) : null;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
