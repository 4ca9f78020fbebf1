/**
 * `baosong report withdraw|reassign|remind R-2026-0042 …` — the office's actions for the IT teacher, the same as
 * on the report's page under /office (ops/report-actions.ts): signalled to the report's workflow, and the outcome
 * read back and printed. `--as` names the office person or leader on whose behalf it is done (recorded in the
 * timeline); a worker must be running to act on it.
 */
import { Command } from 'commander';
import { EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import { identify } from '../config/school.js';
import type { Config } from '../config/schema.js';
import type { ReportAction } from '../ops/report-actions.js';
import { optionalConfig, printJson, withServiceConnections } from './options.js';
import { type ErrorCode } from '../domain/errors.js';

class ReportUsageError extends Error {
  readonly code = 'EREPORT_USAGE' satisfies ErrorCode;
}

interface Common {
  as: string;
  config?: string;
  wait: string;
}

async function act(reportId: string, opts: Common, action: (config: Config) => ReportAction): Promise<void> {
  const config = (await optionalConfig(opts.config))?.config ?? loadConfig({ path: EXAMPLE_CONFIG_FILE }).config;
  const who = identify(config, opts.as);
  if (!who.roles.some((r) => r.role === 'office' || r.role === 'leadership')) {
    throw new ReportUsageError(`--as ${opts.as}: not an office reviewer or a leader in the configuration (the office's actions are theirs)`);
  }
  const { actOnReport } = await import('../ops/report-actions.js');
  const outcome = await withServiceConnections(config, (c) =>
    actOnReport({ ...c, config }, reportId.trim().toUpperCase(), { name: who.name ?? who.address, email: who.address }, action(config), { via: 'cli', waitMs: Number(opts.wait) * 1000 }),
  );
  printJson({ report: reportId, result: outcome.result, refused: outcome.refused, message: outcome.text, event: { seq: outcome.event.seq, type: outcome.event.type, at: outcome.event.at } });
  if (outcome.result !== 'done') process.exitCode = 2;
}

const common = (c: Command) =>
  c
    .requiredOption('--as <email>', 'the office person or leader it is done for (recorded in the timeline)')
    .option('--wait <seconds>', 'how long to wait for the report to record the outcome', '20')
    .option('-c, --config <path>', 'configuration file');

export function reportCommand(): Command {
  const report = new Command('report').description("the office's actions on a running report: withdraw, reassign, remind");
  common(report.command('withdraw').argument('<report>', 'report number, e.g. R-2026-0042').description('withdraw a report (the submitter and the reviewers are told)'))
    .requiredOption('--reason <text>', 'why (the submitter reads it)')
    .action((id: string, opts: Common & { reason: string }) => act(id, opts, () => ({ kind: 'withdraw', reason: opts.reason })));
  common(report.command('reassign').argument('<report>', 'report number').description('give the current review step to someone else (the new holder gets the request, the old one is told)'))
    .requiredOption('--to <email...>', 'who takes the step over (addresses in the configuration)')
    .action((id: string, opts: Common & { to: string[] }) =>
      act(id, opts, (config) => ({
        kind: 'reassign',
        to: opts.to.map((email) => {
          const p = identify(config, email);
          if (p.roles.length === 0) throw new ReportUsageError(`--to ${email}: not in the configuration`);
          return { name: p.name ?? p.address, email: p.address };
        }),
      })),
    );
  common(report.command('remind').argument('<report>', 'report number').description('remind the current reviewers now (at most once an hour per step)')).action((id: string, opts: Common) =>
    act(id, opts, () => ({ kind: 'remind' })),
  );
  return report;
}
