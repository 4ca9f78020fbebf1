/**
 * A deployment for many schools (a county bureau's; docs/district.md): `baosong.deployment.yaml` holds what the
 * schools share, and a folder holds one ordinary school configuration per school, named by the school's id
 * (`schools/qinghe-yizhong.yaml`). Each school is validated alone: a broken school is reported with its
 * problems and left out, the others are loaded.
 *
 *   const { deployment, schools, broken } = loadDeployment({ path: 'baosong.deployment.yaml' });
 *   for (const s of schools) … s.config (a complete Config: the shared sections filled in for this school)
 *
 * Each school is served at its own host (`web.schoolUrl`, e.g. https://{school}.baosong.jyj.example.cn).
 */
import { hkdfSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, parseConfig, type ConfigProblem } from './load.js';
import { configErrorMap, envLocale, localeOf, say, speaker, withMessageLocale } from './messages.js';
import { configSchema, type Config } from './schema.js';

/** A school's id: its file's name, and a part of its workflow ids, bucket prefix and web path. */
export const SCHOOL_ID = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** Sections that belong to the deployment: a school file may not set them (it could point at another's data). */
const SHARED_SECTIONS = ['dataDir', 'temporal', 'storage', 'district'] as const;

const shape = configSchema.shape;

export const deploymentSchema = z.strictObject({
  deployment: z.strictObject({
    /** Who runs it, e.g. 青禾县教育局. */
    name: z.string().min(1),
    /** The language of the deployment's own messages (each school's mail and pages follow its own file). */
    locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
    /** The folder of school configurations, relative to this file. */
    schools: z.string().min(1).default('./schools'),
    /**
     * The id of the bureau's own configuration in that folder (its file schools/<id>.yaml): its office sees every
     * school's figures. Named here, where no school can name itself.
     */
    bureau: z.string().regex(SCHOOL_ID).optional(),
  }),
  dataDir: shape.dataDir,
  temporal: shape.temporal,
  storage: shape.storage,
  web: z
    .strictObject({
      port: z.number().int().min(1).max(65535).default(8080),
      /**
       * Each school's public address, `{school}` standing for its id: https://{school}.baosong.jyj.example.cn (a
       * wildcard DNS name and certificate). A host per school keeps each school's pages, links and cookies apart.
       */
      schoolUrl: z
        .string()
        .refine((u) => /^https?:\/\/\{school\}\./.test(u) && URL.canParse(u.replace('{school}', 'zz0')) && new URL(u.replace('{school}', 'zz0')).hostname.split('.')[0] === 'zz0' && !u.slice(u.indexOf('{school}') + 8).includes('{school}'), {
          error: () => say('expected an address with {school} in its host name, e.g. https://{school}.baosong.jyj.example.cn', '应填含 {school} 的网址（{school} 处会换成学校编号），例如 https://{school}.baosong.jyj.example.cn'),
        })
        .default('http://{school}.localhost:8080'),
      /** The reverse proxy in front of every school's host (nginx with a wildcard server_name): as a school's web.trustProxy. */
      trustProxy: shape.web.unwrap().shape.trustProxy,
    })
    .default({ port: 8080, schoolUrl: 'http://{school}.localhost:8080' }),
  secrets: z
    .strictObject({
      /** The deployment secret (32+ characters); each school's signing key is derived from it and the school's id. */
      hmacSecretEnv: shape.secrets.unwrap().shape.hmacSecretEnv,
    })
    .default({ hmacSecretEnv: 'BAOSONG_SECRET' }),
});

export type Deployment = z.output<typeof deploymentSchema>;

export interface DeployedSchool {
  id: string;
  /** The school's file. */
  file: string;
  /** Its configuration with the deployment's sections filled in for it (data folder, bucket prefix, web address). */
  config: Config;
}

export interface BrokenSchool {
  id: string;
  file: string;
  /** Everything wrong with it, as `baosong config check` prints it. */
  error: ConfigError;
}

export interface LoadedDeployment {
  deployment: Deployment;
  file: string;
  schools: DeployedSchool[];
  broken: BrokenSchool[];
}

/**
 * Reads the deployment file and every school in its folder. Throws a ConfigError only for the deployment file
 * itself (nothing can run without it); a school's problems put it in `broken`.
 */
export function loadDeployment(options: { path: string; env?: NodeJS.ProcessEnv }): LoadedDeployment {
  const file = resolve(options.path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const t = speaker(envLocale(options.env ?? process.env));
    throw new ConfigError('ECONFIG_NOT_FOUND', file, [], t(`${file}: cannot read the deployment file (${(err as Error).message})`, `${file}：读不到部署配置文件（${(err as Error).message}）`));
  }
  const deployment = parseDeployment(text, file);
  const folder = resolve(dirname(file), deployment.deployment.schools);
  const t = speaker(deployment.deployment.locale);
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (err) {
    throw new ConfigError('ECONFIG', file, [{ path: 'deployment.schools', line: null, column: null, message: t(`the schools folder ${folder} cannot be read (${(err as Error).message})`, `学校配置文件夹 ${folder} 读不到（${(err as Error).message}）`) }]);
  }

  const schools: DeployedSchool[] = [];
  const broken: BrokenSchool[] = [];
  for (const name of names) {
    const schoolFile = join(folder, name);
    const id = basename(name).replace(/\.ya?ml$/i, '');
    const refuse = (problems: ConfigProblem[]) => broken.push({ id, file: schoolFile, error: new ConfigError('ECONFIG', schoolFile, problems) });
    if (!SCHOOL_ID.test(id)) {
      refuse([{ path: '', line: null, column: null, message: t(`"${id}" cannot be a school's id: name the file with lower-case letters, digits and hyphens, e.g. qinghe-yizhong.yaml`, `“${id}”不能作为学校编号：文件名请用小写字母、数字和连字符，例如 qinghe-yizhong.yaml`) }]);
      continue;
    }
    if (schools.some((s) => s.id === id) || broken.some((b) => b.id === id)) {
      refuse([{ path: '', line: null, column: null, message: t(`a second file for the school ${id} (.yaml and .yml)`, `学校 ${id} 有两个配置文件（.yaml 和 .yml）`) }]);
      continue;
    }
    try {
      schools.push({ id, file: schoolFile, config: schoolConfig(deployment, id, readFileSync(schoolFile, 'utf8'), schoolFile) });
    } catch (err) {
      if (err instanceof ConfigError) broken.push({ id, file: schoolFile, error: err });
      else refuse([{ path: '', line: null, column: null, message: (err as Error).message }]);
    }
  }

  // One inbox, one school: two schools reading the same mailbox would each take the other's mail.
  const byInbox = new Map<string, DeployedSchool[]>();
  for (const s of schools) byInbox.set(s.config.mail.address, [...(byInbox.get(s.config.mail.address) ?? []), s]);
  for (const [address, sharing] of byInbox) {
    if (sharing.length < 2) continue;
    for (const s of sharing) {
      const others = sharing.filter((o) => o !== s).map((o) => o.id).join(', ');
      broken.push({ id: s.id, file: s.file, error: new ConfigError('ECONFIG', s.file, [{ path: 'mail.address', line: null, column: null, message: t(`the inbox ${address} is also the inbox of ${others}: each school needs a mailbox of its own`, `收件邮箱 ${address} 同时是 ${others} 的收件邮箱：每所学校要用自己的邮箱`) }]) });
    }
  }
  // One password variable, one mailbox: a school file copied from another keeps its BAOSONG_IMAP_PASSWORD, and one
  // of the two logins would fail with a message about a password nobody changed.
  const byVariable = new Map<string, DeployedSchool[]>();
  const refusedAlready = new Set(broken.map((b) => b.file));
  for (const s of schools.filter((x) => !refusedAlready.has(x.file))) {
    const v = s.config.mail.imap?.passwordEnv;
    if (v) byVariable.set(v, [...(byVariable.get(v) ?? []), s]);
  }
  for (const [variable, sharing] of byVariable) {
    const first = sharing[0]!;
    for (const s of sharing.slice(1).filter((x) => x.config.mail.imap?.user !== first.config.mail.imap?.user)) {
      broken.push({ id: s.id, file: s.file, error: new ConfigError('ECONFIG', s.file, [{ path: 'mail.imap.passwordEnv', line: null, column: null, message: t(`${variable} is already the IMAP password of ${first.id}: give each school's mailbox a variable of its own, e.g. ${s.id.toUpperCase().replace(/-/g, '_')}_IMAP_PASSWORD`, `${variable} 已经是 ${first.id} 的收信密码变量：每所学校的邮箱要用自己的变量名，例如 ${s.id.toUpperCase().replace(/-/g, '_')}_IMAP_PASSWORD`) }]) });
    }
  }
  const refused = new Set(broken.map((b) => b.file));
  return { deployment, file, schools: schools.filter((s) => !refused.has(s.file)), broken: broken.sort((a, b) => a.id.localeCompare(b.id)) };
}

/** Parses the deployment file; its problems in its own language, with lines. */
export function parseDeployment(text: string, file: string): Deployment {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const raw: unknown = doc.errors.length > 0 ? null : doc.toJS();
  const locale = (raw as { deployment?: { locale?: string } } | null)?.deployment?.locale === 'en' ? 'en' : 'zh-CN';
  return withMessageLocale(locale, () => {
    if (doc.errors.length > 0) throw new ConfigError('ECONFIG', file, doc.errors.map((e) => ({ path: '', line: e.linePos?.[0]?.line ?? null, column: e.linePos?.[0]?.col ?? null, message: e.message.split('\n')[0] ?? '' })));
    const result = deploymentSchema.safeParse(raw ?? {}, { error: configErrorMap });
    if (result.success) return result.data;
    throw new ConfigError(
      'ECONFIG',
      file,
      result.error.issues.map((issue) => {
        const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
        const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
        const pos = node?.range ? lines.linePos(node.range[0]) : null;
        return { path: path.join('.'), line: pos?.line ?? null, column: pos?.col ?? null, message: issue.message };
      }),
    );
  });
}

/** A school's configuration text, checked alone, with the deployment's shared sections filled in for it. */
export function schoolConfig(deployment: Deployment, id: string, text: string, file: string): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const raw = doc.errors.length > 0 ? null : (doc.toJS() as Record<string, unknown> | null);
  if (raw && typeof raw === 'object') {
    const own = SHARED_SECTIONS.filter((k) => k in raw);
    if (own.length > 0) {
      const t = speaker(localeOf(raw));
      const at = (k: string) => {
        const pair = isMap(doc.contents) ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === k) : undefined;
        const range = isScalar(pair?.key) ? pair.key.range : undefined;
        return range ? lines.linePos(range[0]) : null;
      };
      throw new ConfigError(
        'ECONFIG',
        file,
        own.map((k) => ({ path: k, line: at(k)?.line ?? null, column: at(k)?.col ?? null, message: t(`${k} is set by the deployment (${deployment.deployment.name}), not by a school: remove it here`, `${k} 由部署（${deployment.deployment.name}）统一设置，学校配置里不能写：请删去`) })),
      );
    }
  }
  const config = parseConfig(text, file); // the school's own problems, with lines, in its language
  const s3 = deployment.storage.s3;
  return {
    ...config,
    dataDir: join(deployment.dataDir, 'schools', id),
    temporal: deployment.temporal,
    storage: s3 ? { s3: { ...s3, prefix: `${s3.prefix}${id}/` } } : {},
    web: { ...config.web, port: deployment.web.port, baseUrl: schoolUrl(deployment, id), ...(deployment.web.trustProxy !== undefined ? { trustProxy: deployment.web.trustProxy } : {}) },
    secrets: { hmacSecretEnv: deployment.secrets.hmacSecretEnv },
    district: { school: id, deployment: deployment.deployment.name },
  };
}

/** A school's public address: the deployment's `web.schoolUrl` with the school's id in it, no trailing slash. */
export function schoolUrl(deployment: Deployment, id: string): string {
  return deployment.web.schoolUrl.replaceAll('{school}', id).replace(/\/+$/, '');
}

/**
 * A school's signing key: HKDF-SHA256 of the deployment secret with the school's id. A token, link or session
 * of one school never verifies at another, and there is one secret to keep.
 */
export function schoolSecret(deploymentSecret: string, schoolId: string): string {
  if (!SCHOOL_ID.test(schoolId)) throw new Error(`Not a school id: ${JSON.stringify(schoolId)}`);
  return Buffer.from(hkdfSync('sha256', deploymentSecret, 'baosong deployment', `school:${schoolId}`, 32)).toString('hex');
}
