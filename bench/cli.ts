// Benchmark of the installed CLI's start-up: `baosong deadline` and `baosong inspect` against a bare
// `node -e 0`, interleaved in the same run (the machine's load affects all three alike; the ratio counts).
// Wall time, CPU time (user + system) and peak RSS of each child, from /usr/bin/time.
//   npm run bench:cli [-- <rounds>]        (default 15)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_MARK, PROJECT_ROOT, staleBuild } from '../bin/fresh.js';

const rounds = Number(process.argv[2] ?? 15);
const GOAL_RATIO = 5;
const bin = join(PROJECT_ROOT, 'bin', 'baosong.js');
const mail = join(PROJECT_ROOT, 'tests', 'fixtures', 'mail', 'reply-qq-approve.eml');
const cwd = mkdtempSync(join(tmpdir(), 'baosong-bench-cli-')); // no baosong.config.yaml here

const commands: Record<string, string[]> = {
  node: ['-e', '0'],
  deadline: [bin, 'deadline', '--event', '2026-09-30T16:00'],
  inspect: [bin, 'inspect', mail, '--received', '2026-11-26T15:30'],
};

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssMB: number;
}

function run(args: string[]): Sample {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, ...args], { cwd, encoding: 'utf8', env: { ...process.env, BAOSONG_CONFIG: '' } });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [user, sys, rssKB] = (r.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { wallMs, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000, rssMB: (rssKB ?? 0) / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const stale = staleBuild();
if (stale) console.log(`note: the CLI runs from the TypeScript sources through tsx (${stale}); \`npm run build\` (or npm install) makes ${BUILD_MARK}`);
const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (const args of Object.values(commands)) run(args); // warm the file cache
for (let i = 0; i < rounds; i++) for (const [name, args] of Object.entries(commands)) samples[name]!.push(run(args));
rmSync(cwd, { recursive: true, force: true });

const figures = Object.fromEntries(
  Object.entries(samples).map(([name, s]) => [name, { wallMs: Math.round(median(s.map((x) => x.wallMs))), cpuMs: Math.round(median(s.map((x) => x.cpuMs))), rssMB: Math.round(median(s.map((x) => x.rssMB))) }]),
);
const base = figures.node!.wallMs;
const ratio = { deadline: +(figures.deadline!.wallMs / base).toFixed(1), inspect: +(figures.inspect!.wallMs / base).toFixed(1) };
for (const [name, f] of Object.entries(figures)) console.log(`${name.padEnd(8)} median of ${rounds}: ${f.wallMs} ms wall, ${f.cpuMs} ms CPU, ${f.rssMB} MB`);
console.log(`ratio to a bare node: deadline ${ratio.deadline}×, inspect ${ratio.inspect}× (goal ≤ ${GOAL_RATIO}×)`);
console.log(
  JSON.stringify({
    bench: 'cli',
    from: stale ? 'sources (tsx)' : 'dist',
    rounds,
    ...figures,
    ratio,
    goal: { ratio: GOAL_RATIO },
    met: ratio.deadline <= GOAL_RATIO && ratio.inspect <= GOAL_RATIO,
  }),
);
