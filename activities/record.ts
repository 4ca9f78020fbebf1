/** Every transition of a report goes to the read model and its audit trail, in one transaction. Idempotent. */
import { Context } from '@temporalio/activity';
import type { ReadModel } from '../db/read-model.js';
import { attachmentRelativePath } from '../intake/attachments.js';
import type { ReadModelUpdate } from '../domain/lifecycle.js';

export function createRecordActivities(readModel: ReadModel) {
  return {
    async recordReport(update: ReadModelUpdate): Promise<void> {
      const { report } = update;
      const workflowId = Context.current().info.workflowExecution?.workflowId;
      if (!workflowId) throw new Error('recordReport runs only as a workflow activity');
      const last = update.events.at(-1);
      await readModel.transaction(async (tx) => {
        await tx.recordReport({ ...report, workflowId, updatedAt: last?.at ?? report.receivedAt });
        // Attachments change only when the report arrives or is revised: not rewritten at every step.
        const attachmentsChanged = update.events.some((e) => e.type === 'received' || e.type === 'revised');
        for (const a of attachmentsChanged ? update.attachments : []) {
          await tx.recordAttachment({ reportId: report.id, sha256: a.sha256, filename: a.filename, contentType: a.contentType, size: a.size, storagePath: attachmentRelativePath(a.sha256) });
        }
        for (const e of update.events) {
          await tx.appendEvent({
            reportId: report.id,
            seq: e.seq,
            at: e.at,
            type: e.type,
            actorEmail: e.actor?.email ?? null,
            actorName: e.actor?.name ?? null,
            step: e.step,
            evidence: e.evidence?.ref ?? null,
            detail: { round: e.round, via: e.evidence?.via ?? null, note: e.note, refused: e.refused },
          });
        }
      });
    },
  };
}
