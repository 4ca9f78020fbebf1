// Benchmark of the report checks (稿件体检, domain/checks) on a 3,000-character report: the reports of the test
// corpus (tests/fixtures/checks/clean.yaml, some planted errors among them) joined until 3,000 characters, with
// three captioned photos, checked against config/example.yaml. Aim: < 5 ms per report.
//   npm run bench:checks [-- <rounds>]        (default 2000)
// The floor, measured in the same run on the same text: one plain pass of one simple regex (every run of
// digits), the least any check of the text can cost. Figures are CPU time of this process (user + system),
// medians of 9 batches; `perReport` compiles the school's patterns once (as the service does), `cold` for
// every report (checkReport).
// Ends with one JSON line: {"bench":"checks", figures, floor, ratio, goal, met}.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parse } from 'yaml';
import { EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import { checkFacts } from '../config/school.js';
import { checkReport, ReportChecks, type CheckInput } from '../domain/checks/index.js';
import { parseDateTime } from '../domain/time.js';

const rounds = Number(process.argv[2] ?? 2000);
const CHARS = 3000;
const GOAL_MS = 5;

const corpus = (name: string) =>
  parse(readFileSync(new URL(`../tests/fixtures/checks/${name}`, import.meta.url), 'utf8')) as { title: string; body: string }[];
const pieces = [...corpus('clean.yaml'), ...corpus('planted.yaml').slice(0, 8)].map((r) => r.body.trim());
let body = '';
for (let i = 0; [...body].length < CHARS; i++) body += pieces[i % pieces.length] + '\n';
body = [...body].slice(0, CHARS).join('');

const school = checkFacts(loadConfig({ path: EXAMPLE_CONFIG_FILE }).config);
const facts = { ...school, settings: { ...school.settings, requireCredit: { author: true, photographer: true } } };
const input: CheckInput = {
  title: '我校举行冬季田径运动会暨第十二届校园艺术节闭幕式',
  body,
  photos: [
    { name: '1.jpg', caption: '运动员在田径场起跑' },
    { name: '2.jpg', caption: '张国栋校长为获奖班级颁奖' },
    { name: '3.jpg', caption: '七年级同学参加拔河比赛' },
  ],
  receivedAt: parseDateTime('2026-12-04T16:30', facts.timeZone),
};
const checks = new ReportChecks(facts);
const DIGITS = /\d+/g;

function cpuMsPer(n: number, work: () => unknown): number {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

let sink = 0;
const floorPass = () => {
  for (const m of body.matchAll(DIGITS)) sink += m[0].length;
};
const findings = checks.check(input);
// Warm up: the JIT, the regex compilations.
cpuMsPer(200, () => checks.check(input));
cpuMsPer(200, floorPass);

const batches = 9;
const per = Math.max(1, Math.floor(rounds / batches));
const samples = { perReport: [] as number[], cold: [] as number[], floor: [] as number[] };
for (let b = 0; b < batches; b++) {
  // Interleaved, so the machine's load weighs on all three alike.
  samples.perReport.push(cpuMsPer(per, () => checks.check(input)));
  samples.cold.push(cpuMsPer(Math.max(1, Math.floor(per / 4)), () => checkReport(input, facts)));
  samples.floor.push(cpuMsPer(per * 4, floorPass));
}

const figures = {
  chars: [...body].length,
  findings: findings.map((f) => f.code),
  perReportMs: round3(median(samples.perReport)),
  coldMs: round3(median(samples.cold)),
  rounds: per * batches,
};
const floor = { regexPassMs: round3(median(samples.floor)) };
const ratio = Math.round((median(samples.perReport) / median(samples.floor)) * 10) / 10;
console.log(`${figures.chars} characters, ${figures.findings.length} findings`);
console.log(`checks: ${figures.perReportMs} ms CPU per report (patterns compiled once), ${figures.coldMs} ms compiling for each report`);
console.log(`floor: ${floor.regexPassMs} ms for one pass of /\\d+/g over the same text; ratio ${ratio}× (sink ${sink > 0 ? 'used' : 'empty'})`);
console.log(
  JSON.stringify({
    bench: 'checks',
    figures,
    floor,
    ratio,
    host: { loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
    goal: { perReportMs: GOAL_MS },
    met: figures.perReportMs < GOAL_MS && figures.coldMs < GOAL_MS,
  }),
);
