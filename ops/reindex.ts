/**
 * Rebuilding the read model from Temporal, where the truth lives: every report workflow (running or
 * closed) is listed and asked for its read-model view (the `readModel` query: its row, every event of its
 * timeline, its attachments); every expected-report workflow for its input and status. Report numbers are
 * restored too (each origin keeps its number; each year's counter continues after the highest one), so
 * new reports never reuse a number.
 *
 * Meant for an empty database (after losing it, or moving to PostgreSQL), but safe on a full one: every
 * write is idempotent and an older view never overwrites a newer row.
 *
 * Not rebuilt: the sent-mail log (mails are not sent again: their Message-IDs are derived from report and
 * step, but the log itself is history only Temporal's activity results hold) and which weekly digests
 * went out (the digest workflow keeps its own state; the figures are recomputed from the reports).
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ReadModel } from '../db/read-model.js';
import { writeReportUpdate } from '../activities/record.js';
import { expectedStatusQuery, type ExpectedReportInput } from '../workflows/expected.js';
import { readModelQuery } from '../workflows/report.js';

export interface ReindexOptions {
  client: Client;
  readModel: ReadModel;
  /** Progress lines (one per 100 workflows, and problems). */
  log?: (line: string) => void;
}

export interface ReindexResult {
  reports: number;
  events: number;
  expected: number;
  /** Workflows that could not be read (terminated before their first task, a worker missing, …). */
  failed: { workflowId: string; error: string }[];
}

const REPORT_NUMBER_RE = /^R-(\d{4})-(\d+)$/;

export async function reindex(options: ReindexOptions): Promise<ReindexResult> {
  const { client, readModel } = options;
  const log = options.log ?? (() => undefined);
  const db = readModel.database.db;
  const result: ReindexResult = { reports: 0, events: 0, expected: 0, failed: [] };
  const highest = new Map<number, number>();

  for await (const wf of client.workflow.list({ query: "WorkflowType = 'reportWorkflow'" })) {
    try {
      const view = await client.workflow.getHandle(wf.workflowId, wf.runId).query(readModelQuery);
      const r = view.report;
      result.events += (await writeReportUpdate(readModel, view, wf.workflowId, true)).length;
      if (r.status === 'published') {
        // As the publish activity wrote it (activities/publish.ts).
        const summary = view.body.length > 200 ? `${view.body.slice(0, 200)}…` : view.body;
        await readModel.recordPublished({ reportId: r.id, publishedAt: r.decidedAt ?? r.receivedAt, title: r.title, departmentId: r.departmentId, category: r.category, summary, url: view.publishedUrl });
      }
      const number = REPORT_NUMBER_RE.exec(r.id);
      if (number) {
        const year = Number(number[1]);
        highest.set(year, Math.max(highest.get(year) ?? 0, Number(number[2])));
        await db
          .insertInto('report_number_allocations')
          .values({ origin_key: `${r.origin}:${r.originRef}`, report_id: r.id, year, allocated_at: new Date(r.receivedAt).toISOString() })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      result.reports += 1;
      if (result.reports % 100 === 0) log(`reindex: ${result.reports} reports so far`);
    } catch (err) {
      result.failed.push({ workflowId: wf.workflowId, error: (err as Error).message });
      log(`reindex: cannot read ${wf.workflowId}: ${(err as Error).message}`);
    }
  }
  for (const [year, last] of highest) {
    await db
      .insertInto('report_numbers')
      .values({ year, last_sequence: last })
      .onConflict((oc) => oc.column('year').doUpdateSet((eb) => ({ last_sequence: eb.fn<number>(maxFn(readModel), [eb.ref('report_numbers.last_sequence'), eb.val(last)]) })))
      .execute();
  }

  for await (const wf of client.workflow.list({ query: "WorkflowType = 'expectedReportWorkflow'" })) {
    try {
      const handle = client.workflow.getHandle(wf.workflowId, wf.runId);
      const history = await handle.fetchHistory();
      const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      if (!payload) throw new Error('its history has no input');
      const input = defaultPayloadConverter.fromPayload<ExpectedReportInput>(payload);
      const view = await handle.query(expectedStatusQuery);
      if (!(await readModel.getExpected(input.id))) {
        await readModel.recordExpected({ id: input.id, departmentId: input.department.id, title: input.title, eventEnd: input.eventEnd, urgency: input.urgency, dueAt: input.dueAt, source: 'cli', createdAt: wf.startTime });
      }
      if (view.status !== 'waiting') await readModel.markExpected(input.id, view.status, view.reportId);
      result.expected += 1;
    } catch (err) {
      result.failed.push({ workflowId: wf.workflowId, error: (err as Error).message });
      log(`reindex: cannot read ${wf.workflowId}: ${(err as Error).message}`);
    }
  }
  return result;
}

/** SQLite's two-argument max() is PostgreSQL's greatest(). */
function maxFn(readModel: ReadModel): 'max' | 'greatest' {
  return readModel.database.dialect === 'postgres' ? 'greatest' : 'max';
}
