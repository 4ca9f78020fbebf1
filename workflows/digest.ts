/**
 * The weekly digest, two ways (ops/digest-schedule.ts picks one when a worker starts):
 * - `scheduledDigestWorkflow`, one short run a week started by a Temporal Schedule (calendar spec in the
 *   school's zone), where the server has schedules;
 * - `weeklyDigestWorkflow`, the fallback loop for a server without them: sleeps until the configured local
 *   time each week (default Friday 16:00), has that ISO week's digest computed and mailed (once: the
 *   activity is idempotent per week), and continues as new so its history stays short. Started once with
 *   a fixed workflow id; starting it again is harmless.
 */
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';

type Activities = ReturnType<typeof createActivities>;

const { nextDigestRun, sendWeeklyDigest } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

// Chat is a second channel: tried for an hour at most; its failure never holds up the next week.
const { sendDigestChat } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export const WEEKLY_DIGEST_WORKFLOW_ID = 'baosong-weekly-digest';

export interface WeeklyDigestInput {
  /** Weeks sent before a continue-as-new (keeps the history small). */
  weeksPerRun?: number;
  /** The last digest's send time: the next one is the first after it (set by continue-as-new). */
  after?: string;
}

export async function weeklyDigestWorkflow(input: WeeklyDigestInput = {}): Promise<void> {
  const weeksPerRun = input.weeksPerRun ?? 4;
  let after = input.after ?? new Date(Date.now()).toISOString();
  for (let i = 0; i < weeksPerRun; i++) {
    // When and for which ISO week, by the school's clock: computed in an activity (time zones and the
    // configured weekday are configuration, not workflow code).
    const run = await nextDigestRun({ after });
    const wait = Date.parse(run.at) - Date.now();
    if (wait > 0) await sleep(wait);
    const sent = await sendWeeklyDigest({ week: run.week, at: run.at });
    // The headline figures to the office's and leadership's chat groups (the robots come from the configuration).
    const chats = (sent.chatRobots ?? []).map((robot) => sendDigestChat({ week: run.week, robot, at: run.at }).catch(() => undefined));
    await Promise.all(chats);
    after = run.at;
  }
  await continueAsNew<typeof weeklyDigestWorkflow>({ ...input, after });
}

export const DIGEST_SCHEDULE_ID = 'baosong-weekly-digest';

/**
 * One week's digest, started by the Temporal Schedule (ops/digest-schedule.ts) at the configured local
 * time: this week's slot is the first one after a week ago, so a run that starts late still sends the
 * week it was meant for.
 */
export async function scheduledDigestWorkflow(): Promise<void> {
  const run = await nextDigestRun({ after: new Date(Date.now() - 7 * 86_400_000).toISOString() });
  const sent = await sendWeeklyDigest({ week: run.week, at: new Date(Date.now()).toISOString() });
  const chats = (sent.chatRobots ?? []).map((robot) => sendDigestChat({ week: run.week, robot, at: run.at }).catch(() => undefined));
  await Promise.all(chats);
}
