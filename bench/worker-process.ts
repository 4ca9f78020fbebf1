// A baosong worker in a process of its own, for benchmarks that measure the worker's memory apart from
// the load generator. Started by bench/lifecycle.ts with BENCH_WORKER as JSON:
//   { address, taskQueue, smtpPort, dataDir, maxCachedWorkflows, databaseUrl?, districtSchools? }
// With districtSchools (bench/district.ts): one worker for that many schools of a district, as
// `baosong start --deployment` runs it (activities sent to each workflow's school; PostgreSQL).
import { join } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { migrateToLatest, openDatabase, ReadModel } from '../db/index.js';
import { SentJournal } from '../mail/sent-journal.js';
import { smtpTransport } from '../mail/transport.js';
import { districtActivities } from '../activities/district.js';
import { createActivities } from '../activities/index.js';
import { ChatRobots } from '../chat/index.js';
import { districtSchools } from '../worker/district.js';
import { createWorker } from '../worker/index.js';
import { BENCH_DEPLOYMENT_SECRET, benchDistrict } from './district-setup.js';
import { SECRET, testConfig } from '../tests/support/baosong.js';

interface Options {
  address: string;
  taskQueue: string;
  smtpPort: number;
  dataDir: string;
  databaseUrl?: string;
  districtSchools?: number;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.env.BENCH_WORKER ?? '{}') as Options;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = testConfig({ smtpPort: o.smtpPort, dataDir: o.dataDir, taskQueue: o.taskQueue });
  // As worker/service.ts does (DATABASE_WAIT_MS): a PostgreSQL restarting while this worker starts is waited for.
  const database = await openDatabase(o.databaseUrl ? { url: o.databaseUrl, waitMs: 60_000 } : { file: join(o.dataDir, 'baosong.db') });
  await migrateToLatest(database);
  // As createMailTransport makes it in production: pooled, with the sent journal, resend on unknown outcome.
  const transport = Object.assign(smtpTransport({ host: '127.0.0.1', port: o.smtpPort, secure: false, pool: true }), {
    journal: new SentJournal(join(o.dataDir, 'mail-sent.journal')),
    unknownOutcome: 'resend' as const,
  });
  const connection = await NativeConnection.connect({ address: o.address });
  const district = o.districtSchools ? districtSchools(benchDistrict(o.districtSchools, o.smtpPort, o.taskQueue), database, { deploymentSecret: BENCH_DEPLOYMENT_SECRET, transportFor: () => transport }) : null;
  const activities = district ? districtActivities(new Map(district.map((s) => [s.id, createActivities({ ...s, chat: new ChatRobots(s.config, { env: {} }) })]))) : undefined;
  const worker = await createWorker({ connection, config, database, readModel: new ReadModel(database), transport, secret: SECRET, ...(activities ? { activities } : {}) });
  process.once('SIGTERM', () => worker.shutdown());
  process.send?.('ready');
  await worker.run();
  transport.close();
  await database.close();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
