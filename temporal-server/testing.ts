// How tests (and anything else that wants time skipping) get a Temporal environment.
// Test suites import it through tests/support/temporal.ts.
//
//   default                          this folder's TypeScript test server, time skipping
//   TEMPORAL_TEST_SERVER=official    the SDK's own time-skipping test server (downloaded; needs internet)
//   TEMPORAL_ADDRESS=host:port       an existing Temporal server (no time skipping)
//
// Usage:
//   const env = await createTestEnv();
//   const worker = await createTestWorker(env, { taskQueue, workflowsPath, activities });
//   const result = await worker.runUntil(env.client.workflow.execute(myWorkflow, { taskQueue, workflowId, args }));
//   await env.teardown();
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, Worker, type WorkerOptions } from '@temporalio/worker';

/** Absolute path of our test server executable. */
export const TEST_SERVER_PATH = fileURLToPath(new URL('./bin/temporal-test-server', import.meta.url));

export type TestEnvKind = 'baosong' | 'official' | 'existing';

export function testEnvKind(): TestEnvKind {
  if (process.env.TEMPORAL_ADDRESS) return 'existing';
  if (process.env.TEMPORAL_TEST_SERVER === 'official') return 'official';
  return 'baosong';
}

/** True when the environment skips time (our server or the SDK's official test server). */
export function supportsTimeSkipping(): boolean {
  return testEnvKind() !== 'existing';
}

/** True when tests run against our own server (for checks of its exact messages and history shapes). */
export function isBaosongServer(): boolean {
  return testEnvKind() === 'baosong';
}

let runtimeInstalled = false;

/** Keep the Rust core quiet unless TEMPORAL_LOG_LEVEL asks otherwise. Must run before the first env is made. */
function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (process.env.TEMPORAL_LOG_LEVEL ?? 'ERROR') as 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed by someone else in this process: keep theirs.
  }
}

/**
 * Create a test environment (see the header of this file for how it is chosen).
 * Call `env.teardown()` when done; with our server that also stops the server process.
 */
export async function createTestEnv(): Promise<TestWorkflowEnvironment> {
  installRuntime();
  switch (testEnvKind()) {
    case 'existing':
      return TestWorkflowEnvironment.createFromExistingServer({
        address: process.env.TEMPORAL_ADDRESS,
        namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      });
    case 'official':
      return TestWorkflowEnvironment.createTimeSkipping();
    case 'baosong':
      return TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: TEST_SERVER_PATH } },
      });
  }
}

/** A task queue name unique to this process and call, so suites sharing a server never collide. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

/** Create a worker connected to the environment. Remember to shut it down (or use `worker.runUntil`). */
export function createTestWorker(
  env: TestWorkflowEnvironment,
  options: Omit<WorkerOptions, 'connection' | 'namespace'>,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    ...options,
  });
}

/** Moves a time-skipping environment's clock forward to `at`; every timer on the way fires. No-op if `at` is past. */
export async function advanceTo(env: TestWorkflowEnvironment, at: Date): Promise<void> {
  const ms = at.getTime() - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}
