/**
 * `baosong district figures --deployment FILE [--week 2026-W49]`: a district's figures per school for a week (the
 * current one by default): reports, on time, 迟报, 漏报, sent back, published, on-time rate and 录用 — from the
 * district's PostgreSQL database (DATABASE_URL). `--json` for scripts.
 */
import { Command } from 'commander';
import type { ErrorCode } from '../domain/errors.js';
import { printJson } from './options.js';

class DistrictUsageError extends Error {
  readonly code = 'EUSAGE' satisfies ErrorCode;
}

export function districtCommand(): Command {
  const district = new Command('district').description("a district's deployment of several schools (docs/district.md)");
  district
    .command('figures')
    .description('each school’s figures for an ISO week: reports, on time, 迟报, 漏报, sent back, published, 录用')
    .requiredOption('--deployment <path>', 'the deployment file (baosong.deployment.yaml)')
    .option('--week <week>', 'ISO week, e.g. 2026-W49 (default: this week)')
    .option('--json', 'print JSON')
    .action(async (opts: { deployment: string; week?: string; json?: boolean }) => {
      const [{ loadDeployment }, { openDatabase }, { districtWeekFigures, districtFiguresText }, { weekOf }] = await Promise.all([
        import('../config/deployment.js'),
        import('../db/index.js'),
        import('../digest/district-figures.js'),
        import('../digest/weeks.js'),
      ]);
      const loaded = loadDeployment({ path: opts.deployment });
      const locale = loaded.deployment.deployment.locale;
      const url = process.env.DATABASE_URL;
      if (!url) throw new DistrictUsageError(locale === 'en' ? 'Set DATABASE_URL to the district’s PostgreSQL database.' : '请设置 DATABASE_URL（全区的 PostgreSQL 数据库地址）。');
      const timeZone = loaded.schools[0]?.config.school.timeZone ?? 'Asia/Shanghai';
      const week = opts.week ?? weekOf(new Date(), timeZone);
      const database = await openDatabase({ url });
      try {
        const { districtSchoolList } = await import('../worker/district-service.js');
        const schools = [...districtSchoolList(loaded.schools, loaded.deployment.deployment.bureau), ...loaded.broken.map((b) => ({ id: b.id, name: b.id }))];
        const figures = await districtWeekFigures(database, week, timeZone, schools);
        if (opts.json) printJson(figures);
        else process.stdout.write(`${[`${loaded.deployment.deployment.name} ${week}（${figures.monday}—${figures.sunday}）`, ...districtFiguresText(figures, locale)].join('\n')}\n`);
      } finally {
        await database.close();
      }
    });
  return district;
}
