// Workflows for the child-workflow and external signal / cancel conformance tests (issue 23).
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type * as activities from './activities.js';

export const poke = defineSignal<[string]>('poke');
export const pokesQuery = defineQuery<string[]>('pokes');

/** A child: returns its input, who its parent and root are, after `rounds` continue-as-new. */
export async function echoChild(input: string, rounds = 0): Promise<{ input: string; parent?: string; root?: string; runs: number }> {
  if (rounds > 0) await continueAsNew<typeof echoChild>(input, rounds - 1);
  const { parent, root, continuedFromExecutionRunId } = workflowInfo();
  return { input, parent: parent?.workflowId, root: root?.workflowId, runs: continuedFromExecutionRunId ? 2 : 1 };
}

/** A child that fails with an application error. */
export function failingChild(message: string): Promise<never> {
  return Promise.reject(ApplicationFailure.nonRetryable(message, 'ChildBroke'));
}

/** Collects `poke` signals until cancelled or told 'stop'; returns them (a cancel ends it as cancelled). */
export async function pokeable(): Promise<string[]> {
  const pokes: string[] = [];
  setHandler(poke, (p) => void pokes.push(p));
  setHandler(pokesQuery, () => pokes);
  await condition(() => pokes.includes('stop'));
  return pokes;
}

/** Runs echoChild (through `rounds` continue-as-new) and returns what it said. */
export async function parentOfEcho(input: string, rounds = 0): Promise<{ input: string; parent?: string; root?: string; runs: number }> {
  return await executeChild(echoChild, { args: [input, rounds], workflowId: `${workflowInfo().workflowId}-child` });
}

/** A grandparent: its child runs parentOfEcho, whose child reports the root. */
export async function grandparent(): Promise<{ input: string; parent?: string; root?: string; runs: number }> {
  return await executeChild(parentOfEcho, { args: ['deep'], workflowId: `${workflowInfo().workflowId}-mid` });
}

/** Runs a failing child and reports how the failure reached the parent. */
export async function parentOfFailing(): Promise<{ isChildFailure: boolean; cause: string; type?: string }> {
  try {
    await executeChild(failingChild, { args: ['child broke'], workflowId: `${workflowInfo().workflowId}-child` });
    return { isChildFailure: false, cause: 'no failure' };
  } catch (err) {
    const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
    return { isChildFailure: err instanceof ChildWorkflowFailure, cause: cause?.message ?? String(err), type: (cause as ApplicationFailure | undefined)?.type ?? undefined };
  }
}

/** Starts a child with a workflow id that is already running; reports the error the workflow got. */
export async function startsDuplicateChild(runningId: string): Promise<string> {
  try {
    await startChild(pokeable, { workflowId: runningId });
    return 'started';
  } catch (err) {
    return err instanceof WorkflowExecutionAlreadyStartedError ? 'already started' : `other: ${String(err)}`;
  }
}

/** Starts pokeable, signals it twice through its handle, then cancels it; returns how the child ended. */
export async function signalsThenCancelsChild(): Promise<string> {
  const childId = `${workflowInfo().workflowId}-child`;
  const scope = new CancellationScope();
  const handle = await scope.run(() => startChild(pokeable, { workflowId: childId }));
  await handle.signal(poke, 'one');
  await handle.signal(poke, 'two');
  await sleep(10);
  scope.cancel();
  try {
    await handle.result();
    return 'completed';
  } catch (err) {
    return err instanceof ChildWorkflowFailure && isCancellation(err.cause) ? 'cancelled' : `other: ${String(err)}`;
  }
}

/** Starts pokeable with the given parent close policy and returns at once (closing the parent). */
export async function leavesChildRunning(policy: 'TERMINATE' | 'ABANDON' | 'REQUEST_CANCEL'): Promise<string> {
  const childId = `${workflowInfo().workflowId}-child`;
  await startChild(pokeable, { workflowId: childId, parentClosePolicy: ParentClosePolicy[policy] });
  return childId;
}

/** Awaits a pokeable child the test will terminate; reports the failure's cause. */
export async function awaitsTerminatedChild(): Promise<string> {
  try {
    await executeChild(pokeable, { workflowId: `${workflowInfo().workflowId}-child` });
    return 'completed';
  } catch (err) {
    return err instanceof ChildWorkflowFailure ? (err.cause?.constructor.name ?? 'no cause') : `other: ${String(err)}`;
  }
}

/** Signals another workflow (not its child) by id, then (optionally) asks it to cancel. */
export async function signalsAndCancelsExternal(targetId: string, cancel: boolean): Promise<string> {
  const target = getExternalWorkflowHandle(targetId);
  await target.signal(poke, 'from afar');
  if (cancel) await target.cancel();
  return 'done';
}

/** Signals a workflow that does not exist; reports the error. */
export async function signalsNobody(): Promise<string> {
  try {
    await getExternalWorkflowHandle(`${workflowInfo().workflowId}-nobody`).signal(poke, 'hello?');
    return 'delivered';
  } catch (err) {
    return (err as Error).message;
  }
}

/** Cancels a workflow that does not exist; reports the error. */
export async function cancelsNobody(): Promise<string> {
  try {
    await getExternalWorkflowHandle(`${workflowInfo().workflowId}-nobody`).cancel();
    return 'cancelled';
  } catch (err) {
    return (err as Error).message;
  }
}

/** Reports its own priority key, runs a child and an activity with priorities of their own. */
export async function prioritised(): Promise<{ own?: number; child?: number }> {
  const { greet } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute', priority: { priorityKey: 5, fairnessKey: 'activity' } });
  await greet('priorities');
  const child = await executeChild(reportsPriority, { workflowId: `${workflowInfo().workflowId}-child`, priority: { priorityKey: 4, fairnessKey: 'child', fairnessWeight: 2.5 } });
  return { own: workflowInfo().priority?.priorityKey, child };
}

export function reportsPriority(): Promise<number | undefined> {
  return Promise.resolve(workflowInfo().priority?.priorityKey);
}
