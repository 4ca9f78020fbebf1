/**
 * The floor of the stack: workflows of a baosong report's shape that do nothing of their own, so a bench
 * can say how much a real report costs over what Temporal's client, worker and server need for the same
 * history. The shape is a real report's (tests/fixtures/histories/0.2.0/report-published-by-editor.json, without
 * its reminders): 9 activities, 3 signals (two approvals, the editor's 已发布), one timer started and cancelled
 * (the publish reminder the editor's answer made unnecessary).
 */
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type * as activities from './activities.js';

const { floorStep } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export const floorApprove = defineSignal('approve');

/** receipt → (approval) → step → (approval) → step → publish → settle → plan → settle → (已发布, before a timer) → record → settle. */
export async function reportShapeFloor(): Promise<void> {
  let approvals = 0;
  setHandler(floorApprove, () => void approvals++);
  await floorStep();
  await condition(() => approvals >= 1);
  await floorStep();
  await condition(() => approvals >= 2);
  await floorStep();
  await floorStep();
  await floorStep();
  await floorStep();
  await floorStep();
  await condition(() => approvals >= 3, '1 day');
  await floorStep();
  await floorStep();
}

/** One activity: the floor of a workflow that only records a mail (the intake's receipt path). */
export async function oneActivityFloor(): Promise<void> {
  await floorStep();
}
