/**
 * Every activity of baosong, made from the worker's dependencies. Workflows import only the *type*:
 *   proxyActivities<ReturnType<typeof createActivities>>(…)
 */
import type { ActivityDeps } from './deps.js';
import { createDigestActivities } from './digest.js';
import { createExpectedActivities } from './expected.js';
import { createMailActivities } from './mail.js';
import { createPlanActivities } from './plan.js';
import { createPublishActivities } from './publish.js';
import { createRecordActivities } from './record.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  const mail = createMailActivities(deps);
  return {
    ...mail,
    ...createRecordActivities(deps.readModel),
    ...createPlanActivities(deps.config),
    ...createPublishActivities(deps),
    ...createExpectedActivities(deps),
    ...createDigestActivities(deps),
  };
}
