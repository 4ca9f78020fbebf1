/**
 * One worker for all of a district's schools (docs/district.md): the activities of each school are made from that
 * school's dependencies (its configuration, its scoped database, its mail transport, its signing key), and each
 * call goes to the school of the workflow it runs for, read from the workflow id (domain/school-ids.ts).
 *
 *   const activities = districtActivities(new Map(schools.map((s) => [s.id, createActivities(s.deps)])));
 *   Worker.create({ …, taskQueue: deployment.temporal.taskQueue, activities });
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { schoolOfWorkflowId } from '../domain/school-ids.js';
import type { createActivities } from './index.js';

type Activities = ReturnType<typeof createActivities>;

export function districtActivities(schools: ReadonlyMap<string, Activities>): Activities {
  const first = schools.values().next().value;
  if (!first) throw new Error('districtActivities needs at least one school');
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(first)) {
    out[name] = (...args: unknown[]) => {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
      const school = schoolOfWorkflowId(workflowId);
      const activities = schools.get(school);
      // A school left out at start (its configuration has problems) keeps its reports waiting, not failed: the
      // activity is retried and goes on once the school is fixed and the worker restarted.
      if (!activities) throw ApplicationFailure.retryable(`No school "${school}" runs in this worker (workflow ${workflowId}): fix its configuration (baosong config check --deployment) and restart the worker`, 'SchoolNotRunning');
      return (activities as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);
    };
  }
  return out as unknown as Activities;
}
