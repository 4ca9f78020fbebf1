/**
 * Publishing an approved report on the school's channels: a webhook to the website (its answer carries the
 * page's URL), and the workflow mails the website editor. With `channelsSay` (publish-states), the report is
 * published only when a channel gives its page; otherwise it waits, 待发布, for the editor to confirm.
 * A publication goes to the published archive and the uses (录用, 校级), which 考核 counts.
 * Idempotent: the webhook gets an idempotency key; the archive and the uses are keyed on the report.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import { ReportUses } from '../db/uses.js';
import type { ReadModelUpdate } from '../domain/lifecycle.js';
import { formatLocalDate, toLocal } from '../domain/time.js';
import { wholeText } from '../storage/texts.js';

export interface PublishOutcome {
  url: string | null;
  /** Present with `channelsSay`: whether a channel says the report is out. */
  published?: boolean;
}

export function createPublishActivities(deps: { config: Config; readModel: ReadModel; fetch?: typeof fetch }) {
  const { config, readModel } = deps;
  const doFetch = deps.fetch ?? fetch;

  async function archive(update: ReadModelUpdate, url: string | null, publishedAt: string, channel: string): Promise<void> {
    const r = update.report;
    const body = await wholeText(config.dataDir, { text: update.body, ref: update.bodyRef });
    const summary = body.length > 200 ? `${body.slice(0, 200)}…` : body;
    await readModel.recordPublished({ reportId: r.id, publishedAt, title: r.title, departmentId: r.departmentId, category: r.category, summary, url });
    // The school's own channel is a use too (校级): the register lists it, though the county sheet scores nothing for it.
    const usedOn = formatLocalDate(toLocal(new Date(publishedAt), config.school.timeZone));
    const outlet = channel === '公众号' ? config.publish.wechatName : config.publish.websiteName;
    await new ReportUses(readModel.database).add({ reportId: r.id, outlet, level: '校级', kind: channel, usedOn, ref: url ?? '', source: 'channel', recordedBy: { name: 'baosong', email: config.mail.address }, recordedAt: new Date(publishedAt) });
  }

  return {
    async publishReport(update: ReadModelUpdate, options: { channelsSay?: boolean } = {}): Promise<PublishOutcome> {
      const r = update.report;
      const publishedAt = r.decidedAt ?? r.receivedAt;
      let url: string | null = null;
      if (config.publish.webhookUrl) {
        const body = await wholeText(config.dataDir, { text: update.body, ref: update.bodyRef });
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
        if (typeof answer.url === 'string' && /^https?:\/\//i.test(answer.url)) url = answer.url;
      }
      if (!options.channelsSay) {
        // Runs from before publish-states: asking the editor counted as published.
        const body = await wholeText(config.dataDir, { text: update.body, ref: update.bodyRef });
        const summary = body.length > 200 ? `${body.slice(0, 200)}…` : body;
        await readModel.recordPublished({ reportId: r.id, publishedAt, title: r.title, departmentId: r.departmentId, category: r.category, summary, url });
        return { url };
      }
      // The workflow records the publication (record_publication) once it has stamped the time.
      return { url, published: url !== null };
    },

    /** A person confirmed the publication (the editor's reply or page, the office). */
    async recordPublication({ update, url, channel }: { update: ReadModelUpdate; url: string | null; channel: string }): Promise<void> {
      await archive(update, url, update.report.publishedAt ?? new Date().toISOString(), channel);
    },
  };
}
