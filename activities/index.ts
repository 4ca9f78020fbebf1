/**
 * Every activity of baosong, made from the worker's dependencies. Workflows import only the *type*:
 *   proxyActivities<ReturnType<typeof createActivities>>(…)
 */
import { Context, log } from '@temporalio/activity';
import { askPlan, type StepAnswer, type StepWork } from '../workflows/step-batch.js';
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
  const publish = createPublishActivities(deps);
  const plans = createPlanActivities(deps.config);
  return {
    ...mail,
    ...record,
    /**
     * One step of a report: record the transition (if any), then, in runs from 'step-batches' on, the publication a
     * person confirmed (the archive and the register of uses, as `recordPublication`), then send its mails, then
     * answer the plan the next step needs (as the plan activities do).
     */
    async settleReport(step: StepWork): Promise<StepAnswer> {
      const { update, mails, publication, plan } = step;
      // Alive while it works (the workflow gives it a 20 s heartbeat timeout). A local one (a step without mail) has
      // no heartbeat to give: it lives inside the workflow task.
      const context = Context.current();
      const alive = context.info.isLocal ? undefined : setInterval(() => context.heartbeat(), 2000);
      try {
        if (update) await record.recordReport(update);
        const answer: StepAnswer = {};
        if (publication && update) {
          await publish.recordPublication({ update, ...publication });
          answer.publicationRecorded = true;
        }
        const sent: string[] = [];
        for (const m of mails) if ((await mail.sendReportMail(m)) > 0) sent.push(m.kind);
        // The SDK adds the workflow id (the report) and the attempt to the line.
        if (update || sent.length > 0) log.info('report step settled', { status: update?.report.status, mails: sent });
        if (plan) answer.planned = await askPlan(plans, plan);
        return answer;
      } finally {
        clearInterval(alive);
      }
    },
    ...plans,
    ...publish,
    ...createUpwardActivities(deps),
    ...createExpectedActivities(deps),
    ...createDigestActivities(deps),
    ...createChatActivities({ ...deps, chat: deps.chat ?? new ChatRobots(deps.config) }),
  };
}
