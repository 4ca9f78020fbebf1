/**
 * The HMAC secret behind reply tokens and links: from the environment variable the configuration
 * names; on a trial install without it, one is generated once and kept in the data directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from './schema.js';

export async function loadSecret(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<{ secret: string; source: string }> {
  const variable = config.secrets.hmacSecretEnv;
  const fromEnv = env[variable];
  if (fromEnv) {
    if (fromEnv.length < 32) throw Object.assign(new Error(`${variable} must be at least 32 characters (e.g. \`openssl rand -hex 32\`)`), { code: 'ECONFIG_SECRET' });
    return { secret: fromEnv, source: `environment variable ${variable}` };
  }
  const file = join(resolve(config.dataDir), 'secret');
  try {
    return { secret: (await readFile(file, 'utf8')).trim(), source: file };
  } catch {
    await mkdir(resolve(config.dataDir), { recursive: true });
    const secret = randomBytes(32).toString('hex');
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(() => undefined); // another process made it first: use theirs
    return { secret: (await readFile(file, 'utf8')).trim(), source: `${file} (generated; set ${variable} in production)` };
  }
}
