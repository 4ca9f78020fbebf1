// Activities for the conformance suite. Each records what it saw so tests can assert on attempts.
import { ApplicationFailure, CompleteAsyncError, Context, CancelledFailure, cancellationDetails, getClient, heartbeat, sleep } from '@temporalio/activity';

export const attempts = new Map<string, number[]>();

function record(key: string): number {
  const attempt = Context.current().info.attempt;
  const list = attempts.get(key) ?? [];
  list.push(attempt);
  attempts.set(key, list);
  return attempt;
}

export function greet(name: string): Promise<string> {
  return Promise.resolve(`Hello, ${name}!`);
}

/** Fails until attempt `succeedOn`, then returns the attempt number. */
export function flaky(key: string, succeedOn: number): Promise<number> {
  const attempt = record(key);
  if (attempt < succeedOn) throw ApplicationFailure.retryable(`attempt ${attempt} failed`, 'FlakyError');
  return Promise.resolve(attempt);
}

export function failNonRetryable(key: string): Promise<never> {
  record(key);
  throw ApplicationFailure.nonRetryable('this will never work', 'FatalError');
}

/** Sleeps (wall time) longer than its start-to-close timeout. */
export async function slow(key: string, ms: number): Promise<string> {
  record(key);
  await Context.current().sleep(ms);
  return 'finished';
}

/** Heartbeats once with its attempt number, then stops heartbeating on the first attempt. */
export async function heartbeatThenStall(key: string): Promise<unknown> {
  const ctx = Context.current();
  const attempt = record(key);
  const previous: unknown = ctx.info.heartbeatDetails;
  ctx.heartbeat({ attempt });
  if (attempt === 1) {
    await ctx.sleep(5_000); // misses the heartbeat timeout
    return 'unexpected';
  }
  return previous;
}

/** Heartbeats until cancelled; reports cancellation by rethrowing. */
export async function waitForCancel(key: string): Promise<string> {
  const ctx = Context.current();
  record(key);
  for (;;) {
    ctx.heartbeat();
    try {
      await ctx.sleep(100);
    } catch (err) {
      if (err instanceof CancelledFailure) {
        attempts.set(`${key}:cancelled`, [1]);
        throw err;
      }
      throw err;
    }
  }
}

/** Task tokens of activities that complete asynchronously, by key. */
export const asyncTokens = new Map<string, Uint8Array>();

/** Leaves completion to someone else (the test, through the client). */
export function completeLater(key: string): Promise<string> {
  asyncTokens.set(key, Context.current().info.taskToken);
  throw new CompleteAsyncError();
}

/**
 * Pauses or resets itself through the client, heartbeats until that cancels it, and says what the
 * cancellation was; with `thenRetry` it unpauses itself and fails instead, so its next attempt runs.
 */
export async function pausesItself(mode: 'pause' | 'reset' | 'pause-and-reset', thenRetry: boolean): Promise<string> {
  const info = Context.current().info;
  if (info.attempt > 1) return `attempt ${info.attempt}`;
  const client = getClient();
  const req = { namespace: client.options.namespace, execution: info.workflowExecution, id: info.activityId };
  if (mode !== 'reset') await client.workflowService.pauseActivity(req);
  if (mode !== 'pause') await client.workflowService.resetActivity(req);
  for (;;) {
    try {
      heartbeat();
      await sleep(100);
    } catch (err) {
      if (!(err instanceof CancelledFailure)) throw err;
      const details = cancellationDetails();
      if (!thenRetry) return `cancelled: paused ${String(details?.paused)}, reset ${String(details?.reset)}`;
      if (mode === 'pause') await client.workflowService.unpauseActivity(req);
      throw err;
    }
  }
}
