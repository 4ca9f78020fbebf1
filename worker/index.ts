/**
 * The baosong worker: runs report workflows and their activities on the configured task queue.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';

/** The file the worker bundles: every workflow of baosong (the .ts source, or the compiled .js in dist/). */
export const WORKFLOWS_PATH = ['../workflows/index.ts', '../workflows/index.js']
  .map((p) => fileURLToPath(new URL(p, import.meta.url)))
  .find((p) => existsSync(p)) as string;

export interface CreateWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace?: string;
  /** Extra Worker options (maxCachedWorkflows, identity, …). */
  worker?: Partial<Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowsPath'>>;
}

export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { connection, namespace, worker, ...deps } = options;
  return Worker.create({
    connection,
    namespace: namespace ?? deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities(deps),
    maxCachedWorkflows: deps.config.temporal.maxCachedWorkflows,
    ...worker,
  });
}
