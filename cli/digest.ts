/**
 * `baosong digest --week 2026-W48 [--preview] [--send]` — the weekly digest's figures as JSON; with
 * --preview also the mail's HTML and its chart (digest-2026-W48.html, .png) in <dataDir>/digests or
 * --out DIR. Reads the read model: DATABASE_URL, else <dataDir>/baosong.db (see cli/stats.ts too).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../db/index.js';
import { createDigestActivities, digestUnit } from '../activities/digest.js';
import { createMailTransport } from '../mail/transport.js';
import { renderDepartmentChart } from '../digest/chart.js';
import { computeDigest, type Department } from '../digest/figures.js';
import { parseWeek, weekOf } from '../digest/weeks.js';
import { renderDigest, type DigestUnit } from '../templates/render.js';
import { LOCALES, type Locale } from '../templates/types.js';
import { optionalConfig, printJson } from './options.js';
import { type ErrorCode } from '../domain/errors.js';

export class DigestCliError extends Error {
  readonly code = 'EDIGEST' satisfies ErrorCode;
}

/** What the digest and stats commands need from the configuration (defaults without one). */
export interface School {
  name: string;
  timeZone: string;
  locale: Locale;
  departments: Department[];
  /** How the preview names the departments (a bureau's are schools). */
  unit: DigestUnit;
  baseUrl: string | undefined;
  dataDir: string;
}

export function school(given: Config | null): School {
  // Without a file: the example school, the same one the demo runs (its departments' names, not their ids).
  if (!given) process.stderr.write('baosong: warning: no configuration (--config, $BAOSONG_CONFIG or ./baosong.config.yaml): using the example school of config/example.yaml, as the demo does\n');
  const config = given ?? loadConfig({ path: EXAMPLE_CONFIG_FILE }).config;
  return {
    name: config.school.name,
    timeZone: config.school.timeZone,
    locale: config.school.locale,
    departments: config.departments.map((d) => ({ id: d.id, name: d.name })),
    unit: digestUnit(config),
    baseUrl: config.web.baseUrl,
    dataDir: config.dataDir,
  };
}

/** The read model as the service opens it: DATABASE_URL, else <dataDir>/baosong.db (which must exist). */
export async function openReadModel(s: School): Promise<Database> {
  const url = process.env.DATABASE_URL?.trim();
  if (url) return migrated(await openDatabase({ url }));
  const file = resolve(s.dataDir, 'baosong.db');
  if (!existsSync(file)) {
    throw new DigestCliError(`There is no read model at ${file}. Run baosong there first (npm start), set dataDir in the configuration, or set DATABASE_URL.`);
  }
  return migrated(await openDatabase({ file }));
}

async function migrated(database: Database): Promise<Database> {
  try {
    await migrateToLatest(database);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

export const localeOption = () => new Option('--locale <locale>', 'language of the mail and files (default: the school\'s)').choices(LOCALES);

export function digestCommand(): Command {
  return new Command('digest')
    .description('the weekly digest of an ISO week: its figures as JSON; --preview also writes the mail (HTML) and its chart (PNG)')
    .option('--week <week>', 'ISO week, e.g. 2026-W48 (default: this week)')
    .option('--preview', 'also write digest-<week>.html and digest-<week>.png (to --out, else <dataDir>/digests)')
    .option('--send', 'compute, record and send the digest (once per week)')
    .option('--out <dir>', 'where --preview writes its files (default: <dataDir>/digests)')
    .addOption(localeOption())
    .option('-c, --config <path>', 'school configuration (time zone, departments, data directory)')
    .action(async (opts: { week?: string; preview?: boolean; send?: boolean; out?: string; locale?: Locale; config?: string }) => {
      const s = school((await optionalConfig(opts.config))?.config ?? null);
      let week = opts.week ?? weekOf(new Date(), s.timeZone);
      try {
        parseWeek(week);
        week = week.trim();
      } catch (error) {
        throw new DigestCliError(`--week: ${(error as Error).message}`);
      }
      if (opts.send) {
        const loaded = (await optionalConfig(opts.config));
        if (!loaded) throw new DigestCliError('--send needs the school configuration (--config, $BAOSONG_CONFIG or ./baosong.config.yaml): recipients and the mail server come from it');
        await sendDigest(loaded.config, s, week);
        return;
      }
      const database = await openReadModel(s);
      try {
        const figures = await computeDigest(database, { week, timeZone: s.timeZone, departments: s.departments, ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}) });
        printJson(figures);
        if (!opts.preview) return;
        const locale = opts.locale ?? s.locale;
        const dir = resolve(opts.out ?? join(s.dataDir, 'digests'));
        mkdirSync(dir, { recursive: true });
        const png = await renderDepartmentChart(figures, { locale, unit: s.unit });
        const pngName = `digest-${week}.png`;
        const mail = renderDigest(figures, { locale, timeZone: s.timeZone, schoolName: s.name, chartCid: `chart-${week}@baosong`, unit: s.unit });
        // In a browser the chart comes from the file next to the page instead of the mail's attachment.
        const html = mail.html.replace(`cid:chart-${week}@baosong`, pngName);
        writeFileSync(join(dir, pngName), png);
        writeFileSync(join(dir, `digest-${week}.html`), html);
        process.stderr.write(`baosong: ${mail.subject}\nbaosong: wrote ${join(dir, `digest-${week}.html`)} and ${join(dir, pngName)}\n`);
      } finally {
        await database.close();
      }
    });
}

/** The same activity the weekly workflow runs: idempotent per week, so re-running it sends nothing twice. */
async function sendDigest(config: Config, s: School, week: string): Promise<void> {
  const database = await openReadModel(s);
  const transport = createMailTransport(config);
  try {
    const readModel = new ReadModel(database);
    const before = await readModel.digestFor(week);
    if (before?.sentAt) {
      process.stderr.write(`baosong: the digest of ${week} was already sent at ${before.sentAt} (${before.messageIds.length} mails); nothing sent\n`);
      return;
    }
    const { sent } = await createDigestActivities({ config, database, readModel, transport }).sendWeeklyDigest({ week, at: new Date().toISOString() });
    process.stderr.write(`baosong: digest of ${week} sent to ${sent} recipients\n`);
  } finally {
    transport.close();
    await database.close();
  }
}
