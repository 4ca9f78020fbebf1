/** `baosong config check` — validate the configuration and summarise what it says. */
import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { partsOff, secretStates } from '../config/readiness.js';

export function configCommand(): Command {
  const config = new Command('config').description('work with the configuration file');
  config
    .command('check')
    .description('validate baosong.config.yaml (or --config / $BAOSONG_CONFIG) and print a summary')
    .option('-c, --config <path>', 'configuration file')
    .action((opts: { config?: string }) => {
      const { config: c, file } = loadConfig({ path: opts.config });
      const secrets = secretStates(c, process.env);
      const missing = secrets.filter((s) => !s.set && s.part !== 'links');
      const off = partsOff(c, process.env);
      const lines = [
        missing.length === 0 ? `${file}: OK` : `${file}: valid, but ${missing.length === 1 ? 'a secret is' : `${missing.length} secrets are`} missing (see "secrets" below)`,
        `school: ${c.school.name} (${c.school.timeZone}, ${c.school.locale}), working hours ${c.workingHours.start}–${c.workingHours.end}`,
        `departments: ${c.departments.map((d) => d.name).join('、')}`,
        `office reviewers: ${c.office.reviewers.map((p) => p.name).join('、')}; leadership: ${c.leadership.map((p) => p.name).join('、')}`,
        ...c.review.chains.map((ch, i) => `review chain ${i + 1}${ch.name ? ` ${ch.name}` : ''}: ${describeWhen(ch.when)} → ${ch.steps.join(' → ')}`),
        `mail: ${c.mail.address}; IMAP ${c.mail.imap ? `${c.mail.imap.host}:${c.mail.imap.port}` : 'not set'}; SMTP ${c.mail.smtp ? `${c.mail.smtp.host}:${c.mail.smtp.port}` : `not set (mail goes to the outbox folder)`}`,
        `digest: ${c.digest.weekday} ${c.digest.time}; data: ${c.dataDir}`,
        'secrets (environment variables the configuration names):',
        ...secrets.map((s) => `  ${s.variable} (${s.path}): ${s.problem ? `BAD: ${s.problem}` : s.set ? 'set' : `${s.part === 'links' ? 'not set' : 'MISSING'}: ${s.without}`}`),
        ...(off.length > 0 ? ['off or reduced:', ...off.map((l) => `  ${l}`)] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  return config;
}

function describeWhen(when: { urgency?: string[] | undefined; category?: string[] | undefined } | undefined): string {
  if (!when) return 'every other report';
  return [when.category && `category ${when.category.join('/')}`, when.urgency && `urgency ${when.urgency.join('/')}`].filter(Boolean).join(' and ');
}
