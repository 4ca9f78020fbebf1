/**
 * The baosong worker: runs report workflows and their activities on the configured task queue.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { projectFile, RUNNING_FROM_DIST } from '../config/paths.js';

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
  /** The activities, when not made from these deps alone (a district's, sent to each workflow's school: activities/district.ts). */
  activities?: ReturnType<typeof createActivities>;
  /** Extra Worker options (maxCachedWorkflows, identity, …). */
  worker?: Partial<Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowsPath'>>;
}

/** Where `npm run build` writes the prebuilt workflow bundle. */
export const WORKFLOW_BUNDLE_PATH = projectFile('dist', 'workflow-bundle.js');

/**
 * The bundle a worker uses when none is named: $BAOSONG_WORKFLOW_BUNDLE, else, when this code runs
 * compiled from dist/, the bundle written by the same build (bin/baosong.js runs dist/ only while it is
 * newer than every source, so the two always match), else none (bundle at start from the sources).
 */
export function defaultWorkflowBundle(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.BAOSONG_WORKFLOW_BUNDLE) return env.BAOSONG_WORKFLOW_BUNDLE;
  return RUNNING_FROM_DIST && existsSync(WORKFLOW_BUNDLE_PATH) ? WORKFLOW_BUNDLE_PATH : undefined;
}

export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { connection, namespace, worker, bundleAtStart, activities, ...deps } = options;
  // A prebuilt bundle (npm run build): no webpack at start, less memory. Never a stale one: see defaultWorkflowBundle().
  const bundle = bundleAtStart ? undefined : (options.workflowBundlePath ?? defaultWorkflowBundle());
  const code = worker?.workflowBundle ? {} : bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: WORKFLOWS_PATH };
  return Worker.create({
    connection,
    namespace: namespace ?? deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    ...code,
    activities: activities ?? createActivities(deps),
    maxCachedWorkflows: deps.config.temporal.maxCachedWorkflows,
    ...worker,
  });
}
