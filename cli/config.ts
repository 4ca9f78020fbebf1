/** `baosong config check` — validate the configuration and summarise what it says. */
import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { speaker } from '../config/messages.js';
import { partsOff, secretStates } from '../config/readiness.js';
import type { Config } from '../config/schema.js';
import type { LoadedDeployment } from '../config/deployment.js';
import { URGENCY_LABELS, type Urgency } from '../domain/report.js';
import { REVIEW_STEP_LABELS } from '../domain/review.js';

export function configCommand(): Command {
  const config = new Command('config').description('work with the configuration file');
  config
    .command('check')
    .description('validate baosong.config.yaml (or --config / $BAOSONG_CONFIG) and print a summary')
    .option('-c, --config <path>', 'configuration file')
    .option('--deployment <path>', "a district's deployment file (baosong.deployment.yaml): check it and every school in its folder")
    .action(async (opts: { config?: string; deployment?: string }) => {
      if (opts.deployment) {
        const { loadDeployment } = await import('../config/deployment.js');
        const loaded = loadDeployment({ path: opts.deployment });
        process.stdout.write(`${deploymentSummary(loaded).join('\n')}\n`);
        if (loaded.broken.length > 0) process.exitCode = 1;
        return;
      }
      const { config: c, file } = loadConfig({ path: opts.config });
      process.stdout.write(`${configSummary(c, file, process.env).join('\n')}\n`);
    });
  return config;
}

/** What `config check` prints of a valid configuration, in the school's language. */
export function configSummary(c: Config, file: string, env: NodeJS.ProcessEnv): string[] {
  const t = speaker(c.school.locale);
  const secrets = secretStates(c, env);
  const missing = secrets.filter((s) => !s.set && s.part !== 'links');
  const off = partsOff(c, env);
  const list = (items: string[]) => items.join(t(', ', '、'));
  const when = (w: { urgency?: string[] | undefined; category?: string[] | undefined } | undefined): string => {
    if (!w) return t('every other report', '其余所有报送');
    const urgency = w.urgency?.map((u) => t(URGENCY_LABELS[u as Urgency].en.toLowerCase(), URGENCY_LABELS[u as Urgency].zh));
    return [w.category && t(`category ${w.category.join('/')}`, `类别为${w.category.join('、')}`), urgency && t(`urgency ${urgency.join('/')}`, `缓急为${urgency.join('、')}`)]
      .filter(Boolean)
      .join(t(' and ', '且'));
  };
  const steps = (kinds: (keyof typeof REVIEW_STEP_LABELS)[]) => kinds.map((k) => t(REVIEW_STEP_LABELS[k].en.toLowerCase(), REVIEW_STEP_LABELS[k].zh)).join(' → ');
  const smtp = c.mail.smtp ? `${c.mail.smtp.host}:${c.mail.smtp.port}` : t('not set (mail goes to the outbox folder)', '未设置（邮件写到 outbox 文件夹）');
  const imap = c.mail.imap ? `${c.mail.imap.host}:${c.mail.imap.port}` : t('not set', '未设置');
  const state = (s: (typeof secrets)[number]) =>
    s.problem ? t(`BAD: ${s.problem}`, `有误。${s.problem}`) : s.set ? t('set', '已设置') : s.part === 'links' ? t(`not set: ${s.without}`, `未设置。${s.without}`) : t(`MISSING: ${s.without}`, `缺少。${s.without}`);
  const weekday = WEEKDAY_WORDS[c.digest.weekday]?.[c.school.locale === 'en' ? 0 : 1] ?? c.digest.weekday;
  return [
    missing.length === 0
      ? t(`${file}: OK`, `${file}：配置正确`)
      : t(`${file}: valid, but ${missing.length === 1 ? 'a secret is' : `${missing.length} secrets are`} missing (see "secrets" below)`, `${file}：配置格式正确，但缺少 ${missing.length} 个密钥（见下面的“密钥”）`),
    t(`school: ${c.school.name} (${c.school.timeZone}, ${c.school.locale}), working hours ${c.workingHours.start}–${c.workingHours.end}`, `学校：${c.school.name}（${c.school.timeZone}，${c.school.locale}），上班时间 ${c.workingHours.start}—${c.workingHours.end}`),
    t(`departments: ${list(c.departments.map((d) => d.name))}`, `部门：${list(c.departments.map((d) => d.name))}`),
    t(`office reviewers: ${list(c.office.reviewers.map((p) => p.name))}; leadership: ${list(c.leadership.map((p) => p.name))}`, `办公室审核：${list(c.office.reviewers.map((p) => p.name))}；校领导：${list(c.leadership.map((p) => p.name))}`),
    ...c.review.chains.map((ch, i) => t(`review chain ${i + 1}${ch.name ? ` ${ch.name}` : ''}: ${when(ch.when)} → ${steps(ch.steps)}`, `审核流程 ${i + 1}${ch.name ? `（${ch.name}）` : ''}：${when(ch.when)} → ${steps(ch.steps)}`)),
    t(`mail: ${c.mail.address}; IMAP ${imap}; SMTP ${smtp}`, `邮箱：${c.mail.address}；收信 IMAP ${imap}；发信 SMTP ${smtp}`),
    t(`digest: ${weekday} ${c.digest.time}; data: ${c.dataDir}`, `周报：每${weekday} ${c.digest.time}；数据目录：${c.dataDir}`),
    t('secrets (environment variables the configuration names):', '密钥（配置中指定的环境变量）：'),
    ...secrets.map((s) => t(`  ${s.variable} (${s.path}): ${state(s)}`, `  ${s.variable}（${s.path}）：${state(s)}`)),
    ...(off.length > 0 ? [t('off or reduced:', '未开启或受限的功能：'), ...off.map((l) => `  ${l}`)] : []),
  ];
}

/** What `config check --deployment` prints: the deployment, each school that will run, each that will not and why. */
export function deploymentSummary(d: LoadedDeployment): string[] {
  const t = speaker(d.deployment.deployment.locale);
  const where = d.deployment.storage.s3 ? `s3://${d.deployment.storage.s3.bucket}/${d.deployment.storage.s3.prefix}` : d.deployment.dataDir;
  return [
    t(`${d.file}: ${d.deployment.deployment.name}, ${d.schools.length} schools ready, ${d.broken.length} with problems`, `${d.file}：${d.deployment.deployment.name}，${d.schools.length} 所学校配置正确，${d.broken.length} 所有问题`),
    t(`Temporal namespace ${d.deployment.temporal.namespace}, task queue ${d.deployment.temporal.taskQueue}; files: ${where}`, `Temporal 命名空间 ${d.deployment.temporal.namespace}，任务队列 ${d.deployment.temporal.taskQueue}；附件：${where}`),
    ...d.schools.map((s) => {
      const bureau = s.id === d.deployment.deployment.bureau ? t(' (the bureau: sees every school)', '（教育局：可看各校情况）') : '';
      return t(`  ok  ${s.id}${bureau}  ${s.config.school.name}  ${s.config.mail.address}  ${s.config.web.baseUrl}`, `  正确  ${s.id}${bureau}  ${s.config.school.name}  ${s.config.mail.address}  ${s.config.web.baseUrl}`);
    }),
    ...(d.deployment.deployment.bureau && !d.schools.some((s) => s.id === d.deployment.deployment.bureau)
      ? [t(`  deployment.bureau names ${d.deployment.deployment.bureau}, which is not a school that will run: the bureau's page of every school is off`, `  deployment.bureau 写的是 ${d.deployment.deployment.bureau}，但它不在能运行的学校里：教育局的“各校报送情况”不会开启`)]
      : []),
    ...d.broken.flatMap((b) => [t(`  NOT STARTED  ${b.id}:`, `  不会启动  ${b.id}：`), ...b.error.message.split('\n').map((l) => `    ${l}`)]),
  ];
}

const WEEKDAY_WORDS: Record<string, [string, string]> = {
  monday: ['Monday', '周一'],
  tuesday: ['Tuesday', '周二'],
  wednesday: ['Wednesday', '周三'],
  thursday: ['Thursday', '周四'],
  friday: ['Friday', '周五'],
  saturday: ['Saturday', '周六'],
  sunday: ['Sunday', '周日'],
};
