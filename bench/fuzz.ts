// npm run fuzz [-- <mails> <seed> <concurrency>]: hostile mails (default 10,000) through the real parser and handler, with
// the real workflows on the in-repo Temporal test server (see tests/support/fuzz.ts). Prints progress on
// stderr and one JSON line at the end; exits 1 when any check fails.
import { runFuzz } from '../tests/support/fuzz.js';

const count = Number(process.argv[2] ?? 10_000);
const seed = process.argv[3] !== undefined ? Number(process.argv[3]) : undefined;
const concurrency = Number(process.argv[4] ?? 4);
const summary = await runFuzz({ count, concurrency, ...(seed !== undefined && !Number.isNaN(seed) ? { seed } : {}), onProgress: (n) => process.stderr.write(`fuzz: ${n}/${count}\n`) });
console.log(JSON.stringify({ ...summary, goal: { crashes: 0, unhandledRejections: 0, withoutReason: 0, approvals: 0 }, met: summary.ok }));
process.exit(summary.ok ? 0 : 1);
