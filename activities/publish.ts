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
import { ChannelDrafts, ReportUses } from '../db/uses.js';
import { createWechatMp, WechatMpError, type WechatMp } from '../publish/wechat-mp.js';
import { mustRead } from '../storage/attachments.js';
import type { ReadModelUpdate } from '../domain/lifecycle.js';
import { localDateOf } from '../domain/time.js';
import { wholeText } from '../storage/texts.js';

export interface PublishOutcome {
  url: string | null;
  /** Present with `channelsSay`: whether a channel says the report is out. */
  published?: boolean;
}

export function createPublishActivities(deps: { config: Config; readModel: ReadModel; fetch?: typeof fetch; env?: NodeJS.ProcessEnv }) {
  const { config, readModel } = deps;
  const doFetch = deps.fetch ?? fetch;
  // One client per worker process: its token is kept between reports.
  let wechat: WechatMp | null = null;
  function wechatClient(): WechatMp {
    const w = config.publish.wechat;
    if (!w) throw ApplicationFailure.nonRetryable('publish.wechat is not configured', 'WechatNotConfigured');
    const env = deps.env ?? process.env;
    const appId = env[w.appIdEnv]?.trim();
    const appSecret = env[w.appSecretEnv]?.trim();
    if (!appId || !appSecret) throw new WechatMpError('EWECHAT_TOKEN', config.school.locale === 'en' ? `Set ${w.appIdEnv} and ${w.appSecretEnv} (the official account's AppID and AppSecret) for the worker.` : `请为后台处理进程设置环境变量 ${w.appIdEnv} 和 ${w.appSecretEnv}（公众号的 AppID 和 AppSecret）。`, null, false);
    wechat ??= createWechatMp({ appId, appSecret, locale: config.school.locale, ...(w.apiBase ? { apiBase: w.apiBase } : {}), fetch: doFetch });
    return wechat;
  }

  /** Into the published archive, with the text's first 200 characters. */
  async function recordArchive(update: ReadModelUpdate, url: string | null, publishedAt: string): Promise<void> {
    const r = update.report;
    const body = await wholeText(config, { text: update.body, ref: update.bodyRef });
    const summary = body.length > 200 ? `${body.slice(0, 200)}…` : body;
    await readModel.recordPublished({ reportId: r.id, publishedAt, title: r.title, departmentId: r.departmentId, category: r.category, summary, url });
  }

  async function archive(update: ReadModelUpdate, url: string | null, publishedAt: string, channel: string): Promise<void> {
    const r = update.report;
    await recordArchive(update, url, publishedAt);
    // The school's own channel is a use too (校级): the register lists it, though the county sheet scores nothing for it.
    const usedOn = localDateOf(new Date(publishedAt), config.school.timeZone);
    const outlet = channel === '公众号' ? config.publish.wechatName : config.publish.websiteName;
    await new ReportUses(readModel.database).add({ reportId: r.id, outlet, level: config.school.level, kind: channel, usedOn, ref: url ?? '', source: 'channel', recordedBy: { name: 'baosong', email: config.mail.address }, recordedAt: new Date(publishedAt) });
  }

  return {
    async publishReport(update: ReadModelUpdate, options: { channelsSay?: boolean } = {}): Promise<PublishOutcome> {
      const r = update.report;
      const publishedAt = r.decidedAt ?? r.receivedAt;
      let url: string | null = null;
      if (config.publish.webhookUrl) {
        const body = await wholeText(config, { text: update.body, ref: update.bodyRef });
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
        await recordArchive(update, url, publishedAt);
        return { url };
      }
      // The workflow records the publication (record_publication) once it has stamped the time.
      return { url, published: url !== null };
    },

    /** A person confirmed the publication (the editor's reply or page, the office). */
    async recordPublication({ update, url, channel }: { update: ReadModelUpdate; url: string | null; channel: string }): Promise<void> {
      await archive(update, url, update.report.publishedAt ?? new Date().toISOString(), channel);
    },

    /**
     * Into the 公众号 draft box, once (publish/wechat-mp.ts keeps it to one draft however often this runs). The
     * outcome is recorded for the report's page: the draft, or WeChat's refusal in words, which is not retried
     * when it needs a person (the IP whitelist, the AppSecret, the day's quota).
     */
    async putWechatDraft(update: ReadModelUpdate): Promise<void> {
      const r = update.report;
      const drafts = new ChannelDrafts(readModel.database);
      try {
        const mp = wechatClient();
        const body = await wholeText(config, { text: update.body, ref: update.bodyRef });
        const photos = [];
        for (const a of update.attachments.filter((x) => x.contentType.startsWith('image/'))) {
          photos.push({ filename: a.filename, contentType: a.contentType, data: await mustRead(config, a.sha256) });
        }
        const department = config.departments.find((d) => d.id === r.departmentId)?.name ?? r.departmentId;
        const published = await readModel.getPublished(r.id);
        const result = await mp.putDraft(
          { reportId: r.id, title: r.title, author: config.publish.wechat?.author ?? `${department} ${r.submitterName ?? ''}`.trim(), text: body, photos, sourceUrl: published?.url ?? null },
          { get: async (id) => (await drafts.get(id, 'wechat_mp'))?.mediaId ?? null, set: (id, mediaId) => drafts.set({ reportId: id, channel: 'wechat_mp', state: 'draft', mediaId, error: null }) },
        );
        if (result.skipped.length > 0) await drafts.set({ reportId: r.id, channel: 'wechat_mp', state: 'draft', mediaId: result.mediaId, error: result.skipped.join('；') });
      } catch (err) {
        if (!(err instanceof WechatMpError)) throw err;
        await drafts.set({ reportId: r.id, channel: 'wechat_mp', state: 'failed', mediaId: null, error: err.message });
        if (!err.retryable) throw ApplicationFailure.nonRetryable(err.message, err.code);
        throw err;
      }
    },
  };
}
