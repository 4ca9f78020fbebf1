/** Every transition of a report goes to the read model and its audit trail, in one transaction. Idempotent. */
import { Context } from '@temporalio/activity';
import type { Config } from '../config/schema.js';
import { reportFindings } from '../config/school.js';
import type { ReadModel } from '../db/read-model.js';
import { ReportFindings } from '../db/report-findings.js';
import { ReportUses } from '../db/uses.js';
import { wholeText } from '../storage/texts.js';
import type { ReportEventRecord } from '../db/rows.js';
import { attachmentKey } from '../storage/attachments.js';
import type { ReadModelUpdate, TimelineEntry } from '../domain/lifecycle.js';
import { countReportEvent } from '../ops/metrics.js';

/**
 * Writes one snapshot of a report to the read model in one transaction (its row, new events, and its
 * attachments when `withAttachments`); returns the events that were new. Used by the activity and by
 * `baosong reindex`.
 */
export async function writeReportUpdate(readModel: ReadModel, update: ReadModelUpdate, workflowId: string, withAttachments: boolean): Promise<TimelineEntry[]> {
  const { report } = update;
  const last = update.events.at(-1);
  return readModel.transaction(async (tx) => {
    await tx.recordReport({ ...report, workflowId, updatedAt: last?.at ?? report.receivedAt });
    for (const a of withAttachments ? update.attachments : []) {
      await tx.recordAttachment({ reportId: report.id, sha256: a.sha256, filename: a.filename, contentType: a.contentType, size: a.size, storagePath: attachmentKey(a.sha256) });
    }
    const recorded: TimelineEntry[] = [];
    for (const e of update.events) {
      const isNew = await tx.appendEvent(eventRecord(report.id, e));
      if (isNew) recorded.push(e);
    }
    return recorded;
  });
}

/** A timeline entry as the read model stores it. */
export function eventRecord(reportId: string, e: TimelineEntry): ReportEventRecord {
  return {
    reportId,
    seq: e.seq,
    at: e.at,
    type: e.type,
    actorEmail: e.actor?.email ?? null,
    actorName: e.actor?.name ?? null,
    step: e.step,
    evidence: e.evidence?.ref ?? null,
    detail: { round: e.round, via: e.evidence?.via ?? null, note: e.note, refused: e.refused, ...(e.noteRef ? { noteRef: e.noteRef } : {}) },
  };
}

/**
 * 稿件体检 of the version a 'received' or 'revised' entry brings, kept for the digest's count of recurring
 * 错报 (db/report-findings.ts). From every update carrying such an entry, not only newly recorded ones, so a
 * retried activity whose first attempt committed the events still writes them (the rows are idempotent).
 */
async function recordFindings(readModel: ReadModel, config: Config, update: ReadModelUpdate): Promise<void> {
  const versions = update.events.filter((e) => e.type === 'received' || e.type === 'revised');
  if (versions.length === 0) return;
  const { report } = update;
  const body = await wholeText(config, { text: update.body, ref: update.bodyRef });
  const findings = reportFindings(config, { title: report.title, body, attachments: update.attachments, receivedAt: report.receivedAt });
  const store = new ReportFindings(readModel.database);
  // Only the last version of this update is the text we hold: earlier entries in the same update had theirs replaced.
  const last = versions.at(-1)!;
  await store.record({ reportId: report.id, round: last.round, departmentId: report.departmentId, foundAt: new Date(last.at), findings });
  // Its length, for 考核's guess of 简讯 or 详讯 (the office may override it).
  await new ReportUses(readModel.database).recordChars(report.id, [...body.replace(/\s/g, '')].length, new Date(last.at));
}

export function createRecordActivities(readModel: ReadModel, options: { config?: Config } = {}) {
  return {
    async recordReport(update: ReadModelUpdate): Promise<void> {
      const workflowId = Context.current().info.workflowExecution?.workflowId;
      if (!workflowId) throw new Error('recordReport runs only as a workflow activity');
      // Attachments change only when the report arrives or is revised: not rewritten at every step.
      const attachmentsChanged = update.events.some((e) => e.type === 'received' || e.type === 'revised');
      const recorded = await writeReportUpdate(readModel, update, workflowId, attachmentsChanged);
      if (options.config && attachmentsChanged) await recordFindings(readModel, options.config, update);
      // Counted once committed: once per event, however often the activity runs.
      for (const e of recorded) countReportEvent(e.type, update.report);
    },
  };
}
