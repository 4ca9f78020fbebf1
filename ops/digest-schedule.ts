/**
 * Where the weekly digest's clock lives, chosen once at start:
 * - a Temporal Schedule (id `baosong-weekly-digest`, calendar `digest.weekday` at `digest.time` in the
 *   school's time zone, overlap SKIP) when the server has schedules: each run is a short
 *   `scheduledDigestWorkflow`, and the schedule shows in Temporal's UI and CLI (pause, trigger, backfill);
 * - otherwise the `weeklyDigestWorkflow` loop (sleeps until the time, continues as new every 4 weeks).
 * Moving to the schedule terminates a loop left running from before, so the digest never goes twice (the
 * send activity is idempotent per week anyway). A configuration change updates the schedule at the next start.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { inSchool } from '../domain/school-ids.js';
import { DIGEST_SCHEDULE_ID, scheduledDigestWorkflow, WEEKLY_DIGEST_WORKFLOW_ID, weeklyDigestWorkflow } from '../workflows/digest.js';

/** gRPC's status code 12 (UNIMPLEMENTED), as the client reports a server without schedules. */
const GRPC_UNIMPLEMENTED = 12;

export type DigestClock = 'schedule' | 'workflow-loop';

const DAYS = { monday: 'MONDAY', tuesday: 'TUESDAY', wednesday: 'WEDNESDAY', thursday: 'THURSDAY', friday: 'FRIDAY', saturday: 'SATURDAY', sunday: 'SUNDAY' } as const;

export function digestScheduleOptions(config: Config): ScheduleOptions {
  const [hour, minute] = config.digest.time.split(':').map(Number) as [number, number];
  return {
    scheduleId: inSchool(config.district?.school, DIGEST_SCHEDULE_ID),
    spec: { calendars: [{ dayOfWeek: DAYS[config.digest.weekday], hour, minute }], timezone: config.school.timeZone },
    action: { type: 'startWorkflow', workflowType: scheduledDigestWorkflow, args: [], taskQueue: config.temporal.taskQueue, workflowId: inSchool(config.district?.school, `${DIGEST_SCHEDULE_ID}-run`) },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

function unimplemented(err: unknown): boolean {
  const e = err as { code?: number; cause?: { code?: number } };
  return e.code === GRPC_UNIMPLEMENTED || e.cause?.code === GRPC_UNIMPLEMENTED;
}

/** Sets up the weekly digest on a schedule if the server has schedules, else on the workflow loop. */
export async function startDigestClock(client: Client, config: Config): Promise<DigestClock> {
  const options = digestScheduleOptions(config);
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) {
      await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec }));
    } else if (unimplemented(err)) {
      await client.workflow.start(weeklyDigestWorkflow, { taskQueue: config.temporal.taskQueue, workflowId: inSchool(config.district?.school, WEEKLY_DIGEST_WORKFLOW_ID), args: [{}], workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING });
      return 'workflow-loop';
    } else {
      throw err;
    }
  }
  // The schedule keeps the time now: a loop from before stops.
  await client.workflow
    .getHandle(inSchool(config.district?.school, WEEKLY_DIGEST_WORKFLOW_ID))
    .terminate('the weekly digest moved to a Temporal Schedule')
    .catch((err: unknown) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
  return 'schedule';
}
