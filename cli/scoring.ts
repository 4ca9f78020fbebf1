/**
 * 考核 from the command line, for the IT teacher and for scripts:
 *   baosong scoring --term 2026-秋 --format xlsx|docx|json [--out FILE]   (or --from 2026-09-01 --to 2027-01-31)
 *   baosong summary --term 2026-秋 --out 工作总结.docx
 *   baosong uses add R-2026-0042 "县教育网 https://…" [--level 县区级] [--kind 网站] [--date 2026-11-20]
 *   baosong uses list R-2026-0042 | baosong uses remove <id>
 *   baosong uses import 采用情况.xlsx|.csv [--apply]        (a preview unless --apply)
 *   baosong uses size R-2026-0042 简讯|详讯|auto
 *   baosong concealed add --department anquan --incident "…" --date 2026-11-12
 * Reads and writes the service's database (DATABASE_URL, else <dataDir>/baosong.db).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ReportUses } from '../db/uses.js';
import { USE_LEVELS, type UseLevel } from '../domain/scoring.js';
import { TermError, termOf, termRange, type TermRange } from '../domain/terms.js';
import { envLocale, speaker } from '../config/messages.js';
import { localDateOf } from '../domain/time.js';
import { parseUseLine, type UseLine } from '../domain/uses.js';
import { scoringDownload, bookOptions } from '../exports/index.js';
import { scoringBook } from '../exports/build.js';
import { openReadModel, school } from './digest.js';
import { optionalConfig, printJson } from './options.js';
import type { ErrorCode } from '../domain/errors.js';

class ScoringUsageError extends Error {
  readonly code = 'EUSAGE' satisfies ErrorCode;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
/** The IT teacher's language (BAOSONG_LOCALE, else LANG), as the other commands speak. */
const t = speaker(envLocale(process.env));
const CLI_PERSON = { name: 'baosong CLI', email: 'cli@localhost' };

async function configOf(path: string | undefined): Promise<Config> {
  return (await optionalConfig(path))?.config ?? loadConfig({ path: EXAMPLE_CONFIG_FILE }).config;
}

function today(config: Config): string {
  return localDateOf(new Date(), config.school.timeZone);
}

/** --term, or --from/--to, or the current term. */
function period(config: Config, o: { term?: string; from?: string; to?: string }): TermRange {
  if (o.from || o.to) {
    if (!o.from || !o.to || !DATE_RE.test(o.from) || !DATE_RE.test(o.to)) throw new ScoringUsageError(t('give both --from and --to as YYYY-MM-DD (or --term 2026-秋)', '请同时给出 --from 和 --to，写成 年-月-日（或用 --term 2026-秋）'));
    if (o.to < o.from) throw new ScoringUsageError(t(`--to (${o.to}) is before --from (${o.from})`, `--to（${o.to}）早于 --from（${o.from}）`));
    return { name: `${o.from}_${o.to}`, from: o.from, to: o.to, label: { zh: `${o.from} 至 ${o.to}`, en: `${o.from} to ${o.to}` } };
  }
  try {
    return termRange(o.term ?? termOf(today(config)), config.scoring?.terms ?? []);
  } catch (err) {
    if (!(err instanceof TermError)) throw err;
    throw new ScoringUsageError(t(err.message, `“${o.term}”不是学期：请写 2026-秋、2027-春 或 2026-2027（或配置 scoring.terms 中的名称）`));
  }
}

async function withUses<T>(config: Config, run: (uses: ReportUses, database: Awaited<ReturnType<typeof openReadModel>>) => Promise<T>): Promise<T> {
  const database = await openReadModel(school(config));
  try {
    return await run(new ReportUses(database), database);
  } finally {
    await database.close();
  }
}

const periodOptions = (c: Command) =>
  c
    .option('--term <term>', 'a term or school year: 2026-秋, 2027-春, 2026-2027 (default: the current term)')
    .option('--from <date>', 'first day, YYYY-MM-DD (with --to, instead of --term)')
    .option('--to <date>', 'last day, included')
    .option('-c, --config <path>', 'school configuration');

export function scoringCommand(): Command {
  return periodOptions(new Command('scoring').description('the 考核 scoring sheet and register of uses of a term: xlsx, docx or json'))
    .addOption(new Option('--format <format>', 'xlsx | docx | json').choices(['xlsx', 'docx', 'json']).default('xlsx'))
    .option('--out <file>', 'write here (default: the name the office downloads)')
    .action(async (o: { term?: string; from?: string; to?: string; config?: string; format: 'xlsx' | 'docx' | 'json'; out?: string }) => {
      const config = await configOf(o.config);
      const range = period(config, o);
      await withUses(config, async (_uses, database) => {
        if (o.format === 'json') return printJson(await scoringBook(database, bookOptions(config, range)));
        const file = await scoringDownload(database, config, range, o.format === 'xlsx' ? 'register.xlsx' : 'register.docx');
        const out = resolve(o.out ?? file.filename);
        await writeFile(out, file.data);
        process.stderr.write(t(`baosong: wrote ${out}\n`, `baosong：已写入 ${out}\n`));
      });
    });
}

export function summaryCommand(): Command {
  return periodOptions(new Command('summary').description('the term 工作总结 as a Word document the office edits'))
    .option('--out <file>', 'write here (default: <school><term>信息宣传工作总结.docx)')
    .action(async (o: { term?: string; from?: string; to?: string; config?: string; out?: string }) => {
      const config = await configOf(o.config);
      const range = period(config, o);
      await withUses(config, async (_uses, database) => {
        const file = await scoringDownload(database, config, range, 'summary.docx');
        const out = resolve(o.out ?? file.filename);
        await writeFile(out, file.data);
        process.stderr.write(t(`baosong: wrote ${out}\n`, `baosong：已写入 ${out}\n`));
      });
    });
}

/** One use from a spreadsheet row: 报送编号 and the outlet, with level, kind, date and URL/issue when given. */
interface ImportRow {
  line: number;
  reportId: string;
  use: UseLine | null;
  problem: string | null;
}

const REPORT_ID_RE = /R-\d{4}-\d{4,}/i;

/** Reads rows of a bureau's sheet (xlsx: the first sheet; csv: UTF-8, with or without BOM): any cell with a report number marks a row. */
async function readSheet(file: string): Promise<string[][]> {
  if (extname(file).toLowerCase() === '.csv') {
    const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    return text.split(/\r?\n/).map((l) => l.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((c) => c.replace(/^"|"$/g, '').replace(/""/g, '"').trim()));
  }
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets[0];
  if (!ws) return [];
  const rows: string[][] = [];
  ws.eachRow({ includeEmpty: true }, (row) => {
    const cells: string[] = [];
    // cell.text is what Excel shows (dates, hyperlinks and formulas included); dates as YYYY-MM-DD.
    row.eachCell({ includeEmpty: true }, (cell) => void cells.push(cell.value instanceof Date ? cell.value.toISOString().slice(0, 10) : cell.text.trim()));
    rows.push(cells);
  });
  return rows;
}

function importRows(rows: string[][]): ImportRow[] {
  const out: ImportRow[] = [];
  rows.forEach((cells, i) => {
    const id = cells.map((c) => REPORT_ID_RE.exec(c)?.[0]).find(Boolean);
    if (!id) return;
    const rest = cells.filter((c) => !REPORT_ID_RE.test(c) && c !== '');
    const level = rest.find((c) => (USE_LEVELS as readonly string[]).includes(c));
    const text = rest.filter((c) => c !== level).join(' ');
    const use = parseUseLine(text);
    out.push({ line: i + 1, reportId: id.toUpperCase(), use: use && level ? { ...use, level: level as UseLevel } : use, problem: use ? null : 'no outlet in this row' });
  });
  return out;
}

export function usesCommand(): Command {
  const uses = new Command('uses').description('where reports were used (录用): add, list, remove, import a bureau spreadsheet, set 简讯/详讯');
  uses
    .command('add <report> <use>')
    .description('record a use, e.g. baosong uses add R-2026-0042 "县教育网 https://…"')
    .option('--level <level>', USE_LEVELS.join(' | '))
    .option('--kind <kind>', '网站, 简报, 报刊, 电视, 公众号 …')
    .option('--date <date>', 'when it was used (YYYY-MM-DD; default today)')
    .option('-c, --config <path>', 'school configuration')
    .action(async (reportId: string, text: string, o: { level?: string; kind?: string; date?: string; config?: string }) => {
      const config = await configOf(o.config);
      const read = parseUseLine(text);
      if (!read) throw new ScoringUsageError(t(`no outlet in "${text}": write the outlet and its address or issue, e.g. "县教育网 https://…"`, `“${text}”中没有录用单位：请写单位和网址或期号，例如“县教育网 https://…”`));
      if (o.level && !(USE_LEVELS as readonly string[]).includes(o.level)) throw new ScoringUsageError(t(`--level: expected ${USE_LEVELS.join(', ')}`, `--level 应为 ${USE_LEVELS.join('、')} 之一`));
      if (o.date && !DATE_RE.test(o.date)) throw new ScoringUsageError(t('--date: expected YYYY-MM-DD', '--date 应写成 年-月-日，例如 2026-11-12'));
      await withUses(config, async (store, database) => {
        const report = await database.db.selectFrom('reports').select(['id']).where('id', '=', reportId.toUpperCase()).executeTakeFirst();
        if (!report) throw new ScoringUsageError(t(`there is no report ${reportId}`, `没有编号为 ${reportId} 的报送`));
        const added = await store.add({ reportId: report.id, outlet: read.outlet, level: (o.level as UseLevel | undefined) ?? read.level, kind: o.kind ?? read.kind, usedOn: o.date ?? read.usedOn ?? today(config), ref: read.ref, source: 'cli', recordedBy: CLI_PERSON, recordedAt: new Date() });
        printJson({ id: added.id, added: added.added });
      });
    });
  uses
    .command('list <report>')
    .option('-c, --config <path>', 'school configuration')
    .action(async (reportId: string, o: { config?: string }) => {
      const config = await configOf(o.config);
      await withUses(config, async (store) => printJson(await store.usesOf([reportId.toUpperCase()])));
    });
  uses
    .command('remove <id>')
    .option('-c, --config <path>', 'school configuration')
    .action(async (id: string, o: { config?: string }) => {
      const config = await configOf(o.config);
      await withUses(config, async (store) => {
        const removed = await store.remove(id);
        if (!removed) throw new ScoringUsageError(t(`there is no use ${id} (see baosong uses list <report>)`, `没有编号为 ${id} 的录用记录（可用 baosong uses list 报送编号 查看）`));
        printJson(removed);
      });
    });
  uses
    .command('size <report> <size>')
    .description('简讯, 详讯, or auto (guess from the length)')
    .option('-c, --config <path>', 'school configuration')
    .action(async (reportId: string, size: string, o: { config?: string }) => {
      if (!['简讯', '详讯', 'auto'].includes(size)) throw new ScoringUsageError(t('size: 简讯, 详讯 or auto', '篇幅应为 简讯、详讯 或 auto（按字数判断）'));
      const config = await configOf(o.config);
      await withUses(config, (store) => store.setSize(reportId.toUpperCase(), size === 'auto' ? null : (size as '简讯' | '详讯'), CLI_PERSON.email, new Date()));
    });
  uses
    .command('import <file>')
    .description('uses from a bureau spreadsheet (.xlsx, .csv): each row with a report number; a preview unless --apply')
    .option('--apply', 'record them (default: show what would be recorded, record nothing)')
    .option('--date <date>', 'the date for rows that give none (default today)')
    .option('-c, --config <path>', 'school configuration')
    .action(async (file: string, o: { apply?: boolean; date?: string; config?: string }) => {
      const config = await configOf(o.config);
      const rows = importRows(await readSheet(resolve(file)));
      if (rows.length === 0) throw new ScoringUsageError(t(`no row of ${file} names a report (R-2026-0042)`, `${file} 中没有一行写有报送编号（如 R-2026-0042）`));
      await withUses(config, async (store, database) => {
        const known = new Set((await database.db.selectFrom('reports').select('id').where('id', 'in', [...new Set(rows.map((r) => r.reportId))]).execute()).map((r) => r.id));
        const result = [];
        for (const r of rows) {
          const problem = r.problem ?? (known.has(r.reportId) ? null : `there is no report ${r.reportId}`);
          if (problem || !r.use) {
            result.push({ line: r.line, reportId: r.reportId, outcome: 'skipped', problem });
            continue;
          }
          const use = { reportId: r.reportId, outlet: r.use.outlet, level: r.use.level, kind: r.use.kind, usedOn: r.use.usedOn ?? o.date ?? today(config), ref: r.use.ref, source: 'import' as const, recordedBy: CLI_PERSON, recordedAt: new Date() };
          if (!o.apply) {
            result.push({ line: r.line, reportId: r.reportId, outcome: 'would add', use: { outlet: use.outlet, level: use.level, kind: use.kind, usedOn: use.usedOn, ref: use.ref } });
            continue;
          }
          const added = await store.add(use);
          result.push({ line: r.line, reportId: r.reportId, outcome: added.added ? 'added' : 'already recorded', id: added.id });
        }
        printJson({ applied: o.apply === true, rows: result });
        if (!o.apply) process.stderr.write(t('baosong: a preview; nothing was recorded. Run again with --apply to record these.\n', 'baosong：以上为预览，尚未登记。确认无误后加 --apply 再运行一次即可登记。\n'));
      });
    });
  return uses;
}

export function concealedCommand(): Command {
  const c = new Command('concealed').description('瞒报: incidents a department did not report, recorded by the office');
  c.command('add')
    .requiredOption('--department <id>', 'department id, e.g. anquan')
    .requiredOption('--incident <text>', 'what happened and was not reported')
    .requiredOption('--date <date>', 'when it happened (YYYY-MM-DD)')
    .option('-c, --config <path>', 'school configuration')
    .action(async (o: { department: string; incident: string; date: string; config?: string }) => {
      const config = await configOf(o.config);
      const department = config.departments.find((d) => d.id === o.department || d.name === o.department);
      if (!department) throw new ScoringUsageError(t(`no department "${o.department}" in the configuration`, `配置中没有部门“${o.department}”`));
      if (!DATE_RE.test(o.date)) throw new ScoringUsageError(t('--date: expected YYYY-MM-DD', '--date 应写成 年-月-日，例如 2026-11-12'));
      await withUses(config, async (store) => printJson(await store.addConcealed({ departmentId: department.id, incident: o.incident, occurredOn: o.date, recordedBy: CLI_PERSON, recordedAt: new Date() })));
    });
  return c;
}
