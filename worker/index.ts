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
  /** A prebuilt workflow bundle (default: $BAOSONG_WORKFLOW_BUNDLE, else bundle at start). */
  workflowBundlePath?: string;
  /** Bundle the workflows at start even when BAOSONG_WORKFLOW_BUNDLE names a prebuilt bundle (tracing adds workflow interceptors). */
  bundleAtStart?: boolean;
  /** Extra Worker options (maxCachedWorkflows, identity, …). */
  worker?: Partial<Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowsPath'>>;
}

/** Where `npm run build` writes the prebuilt workflow bundle. */
export const WORKFLOW_BUNDLE_PATH = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));

export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { connection, namespace, worker, bundleAtStart, ...deps } = options;
  // BAOSONG_WORKFLOW_BUNDLE names a prebuilt bundle (npm run build): no webpack at start, less memory.
  // Explicit on purpose: a stale bundle must never run silently instead of the current code.
  const bundle = bundleAtStart ? undefined : (options.workflowBundlePath ?? process.env.BAOSONG_WORKFLOW_BUNDLE);
  const code = worker?.workflowBundle ? {} : bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: WORKFLOWS_PATH };
  return Worker.create({
    connection,
    namespace: namespace ?? deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    ...code,
    activities: createActivities(deps),
    maxCachedWorkflows: deps.config.temporal.maxCachedWorkflows,
    ...worker,
  });
}
