/**
 * Publishing an approved report: into the published archive, and, as configured, a webhook to the
 * school website (the workflow mails the website editor). Idempotent: the webhook gets an idempotency key.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import type { ReadModelUpdate } from '../domain/lifecycle.js';
import { wholeText } from '../storage/texts.js';

export function createPublishActivities(deps: { config: Config; readModel: ReadModel; fetch?: typeof fetch }) {
  const { config, readModel } = deps;
  const doFetch = deps.fetch ?? fetch;
  return {
    async publishReport(update: ReadModelUpdate): Promise<{ url: string | null }> {
      const r = update.report;
      const publishedAt = r.decidedAt ?? r.receivedAt;
      let url: string | null = null;
      const body = await wholeText(config.dataDir, { text: update.body, ref: update.bodyRef });
      if (config.publish.webhookUrl) {
        const res = await doFetch(config.publish.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `baosong-publish-${r.id}` },
          body: JSON.stringify({ id: r.id, title: r.title, body, department: r.departmentId, category: r.category, urgency: r.urgency, eventTime: r.eventTime, publishedAt, attachments: update.attachments }),
        });
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          throw ApplicationFailure.nonRetryable(`The publish webhook refused report ${r.id}: HTTP ${res.status}`, 'PublishRefused');
        }
        if (!res.ok) throw new Error(`The publish webhook answered HTTP ${res.status} for ${r.id}; will retry`);
        const answer = (await res.json().catch(() => ({}))) as { url?: unknown };
        if (typeof answer.url === 'string') url = answer.url;
      }
      const summary = body.length > 200 ? `${body.slice(0, 200)}…` : body;
      await readModel.recordPublished({ reportId: r.id, publishedAt, title: r.title, departmentId: r.departmentId, category: r.category, summary, url });
      return { url };
    },
  };
}
