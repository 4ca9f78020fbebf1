/**
 * Every activity of baosong, made from the worker's dependencies. Workflows import only the *type*:
 *   proxyActivities<ReturnType<typeof createActivities>>(…)
 */
import { Context, log } from '@temporalio/activity';
import type { ReadModelUpdate, ReportMailRequest } from '../domain/lifecycle.js';
import { ChatRobots } from '../chat/index.js';
import type { ActivityDeps } from './deps.js';
import { createChatActivities } from './chat.js';
import { createDigestActivities } from './digest.js';
import { createExpectedActivities } from './expected.js';
import { createMailActivities } from './mail.js';
import { createPlanActivities } from './plan.js';
import { createPublishActivities } from './publish.js';
import { createRecordActivities } from './record.js';
import { createUpwardActivities } from './upward.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  const mail = createMailActivities(deps);
  const record = createRecordActivities(deps.readModel, { config: deps.config });
  return {
    ...mail,
    ...record,
    /** One step of a report: record the transition (if any), then send its mails. */
    async settleReport({ update, mails }: { update: ReadModelUpdate | null; mails: ReportMailRequest[] }): Promise<void> {
      // Alive while it works (the workflow gives it a 20 s heartbeat timeout). A local one (a step without mail) has
      // no heartbeat to give: it lives inside the workflow task.
      const context = Context.current();
      const alive = context.info.isLocal ? undefined : setInterval(() => context.heartbeat(), 2000);
      try {
        if (update) await record.recordReport(update);
        const sent: string[] = [];
        for (const m of mails) if ((await mail.sendReportMail(m)) > 0) sent.push(m.kind);
        // The SDK adds the workflow id (the report) and the attempt to the line.
        if (update || sent.length > 0) log.info('report step settled', { status: update?.report.status, mails: sent });
      } finally {
        clearInterval(alive);
      }
    },
    ...createPlanActivities(deps.config),
    ...createPublishActivities(deps),
    ...createUpwardActivities(deps),
    ...createExpectedActivities(deps),
    ...createDigestActivities(deps),
    ...createChatActivities({ ...deps, chat: deps.chat ?? new ChatRobots(deps.config) }),
  };
}
