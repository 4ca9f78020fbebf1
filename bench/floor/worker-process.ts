// The floor's worker, in a process of its own as baosong's worker is (bench/worker-process.ts), on the SDK's
// default settings. BENCH_FLOOR_WORKER = { address, taskQueue, bundlePath } as JSON.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities.js';

const o = JSON.parse(process.env.BENCH_FLOOR_WORKER ?? '{}') as { address: string; taskQueue: string; bundlePath: string };
Runtime.install({ logger: new DefaultLogger('WARN') });
const connection = await NativeConnection.connect({ address: o.address });
const worker = await Worker.create({ connection, taskQueue: o.taskQueue, workflowBundle: { codePath: o.bundlePath }, activities });
process.once('SIGTERM', () => worker.shutdown());
process.send?.('ready');
await worker.run();
await connection.close();
