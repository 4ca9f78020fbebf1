/**
 * A district's schools share one Temporal namespace and one task queue (docs/district.md), so each school's
 * workflow ids carry the school: `qinghe-yizhong:report-mail-…`. A one-school deployment's ids have no prefix
 * (its histories, links and schedules stay as they were). The worker reads the school back from the id of the
 * workflow an activity runs for (worker/district.ts): the id is set by our own client when the workflow starts,
 * so no activity input has to carry it, and no sender can choose it.
 */

/** The id of `school`'s workflow `id` (unchanged for the one-school deployment, `school` undefined or ''). */
export function inSchool(school: string | undefined, id: string): string {
  return school ? `${school}:${id}` : id;
}

/** The school a workflow id belongs to: its prefix, or '' (the one-school deployment). */
export function schoolOfWorkflowId(workflowId: string): string {
  const m = /^([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?):/.exec(workflowId);
  return m?.[1] ?? '';
}
