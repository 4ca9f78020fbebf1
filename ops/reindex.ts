/**
 * Rebuilding the read model from Temporal, where the truth lives: every report workflow (running or
 * closed) is listed and asked for its read-model view (the `readModel` query: its row, every event of its
 * timeline, its attachments); every expected-report workflow for its input and status. Report numbers are
 * restored too (each origin keeps its number; each year's counter continues after the highest one), so
 * new reports never reuse a number.
 *
 * Meant for an empty database (after losing it, or moving to PostgreSQL), and for one that was tampered
 * with: a report's row that differs from the workflow's (a bumped version, another status) is put back, an
 * event that differs from the workflow's at its place (invalid JSON, another approver) is replaced, and an
 * event the workflow never had (a forged "approved") is removed; each change is said (`repaired`). Old
 * comments and refusals the workflow no longer keeps (it keeps the last 20) stay as stored.
 * Run it while reports move and a row written between the query and the repair may be put back one step:
 * the next step of that report writes it again.
 *
 * Not rebuilt: the sent-mail log (mails are not sent again: their Message-IDs are derived from report and
 * step, but the log itself is history only Temporal's activity results hold) and which weekly digests
 * went out (the digest workflow keeps its own state; the figures are recomputed from the reports).
 */
import { schoolOfWorkflowId } from '../domain/school-ids.js';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ReadModel } from '../db/read-model.js';
import { eventRecord, writeReportUpdate } from '../activities/record.js';
import type { ReportRecord } from '../db/rows.js';
import type { ReadModelUpdate } from '../domain/lifecycle.js';
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
  /** Reports whose stored rows differed from Temporal's, and what was changed. */
  repaired: { reportId: string; changes: string[] }[];
}

/** Comments and refusals: the workflow keeps the last 20; older ones live only in the read model. */
const CHATTER = new Set(['comment', 'refused']);

/** The report's row and events as Temporal has them, put back where the stored ones differ. What changed, in words. */
async function repair(readModel: ReadModel, view: ReadModelUpdate, workflowId: string): Promise<string[]> {
  const r = view.report;
  const changes: string[] = [];
  const record: ReportRecord = { ...r, workflowId, updatedAt: view.events.at(-1)?.at ?? r.receivedAt };
  const stored = await readModel.getReport(r.id).catch(() => null);
  const storedRow = (await readModel.database.db.selectFrom('reports').select(['version', 'status']).where('id', '=', r.id).executeTakeFirst()) ?? null;
  if (storedRow) {
    const differs: string[] = [];
    if (storedRow.version !== r.version) differs.push(`version ${storedRow.version} → ${r.version}`);
    if (storedRow.status !== r.status) differs.push(`status ${storedRow.status} → ${r.status}`);
    if (stored) {
      const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
      const instant = (v: string | Date | null | undefined) => (v === null || v === undefined ? null : new Date(v).getTime());
      const fields: [string, unknown, unknown][] = [
        ['currentStep', stored.currentStep, r.currentStep],
        ['holders', stored.holders, r.holders],
        ['title', stored.title, r.title],
        ['overdue', stored.overdue, r.overdue],
        ['returnedCount', stored.returnedCount, r.returnedCount],
        ['decidedAt', instant(stored.decidedAt), instant(r.decidedAt)],
        ['publishedAt', instant(stored.publishedAt), instant(r.publishedAt)],
        ['submitterEmail', stored.submitterEmail, r.submitterEmail],
        ['departmentId', stored.departmentId, r.departmentId],
      ];
      for (const [name, a, b] of fields) if (!same(a, b)) differs.push(`${name} differed`);
    } else differs.push('unreadable');
    if (differs.length > 0) {
      await readModel.replaceReport(record);
      changes.push(`row put back (${differs.join(', ')})`);
    }
  }
  const kept = new Map(view.events.map((e) => [e.seq, e]));
  const lastKept = Math.max(0, ...kept.keys());
  for (const row of storedRow ? await readModel.storedEvents(r.id) : []) {
    const truth = kept.get(row.seq);
    let detail: unknown = undefined;
    try {
      detail = JSON.parse(row.detail);
    } catch {
      // not JSON: replaced or removed below
    }
    if (truth) {
      const want = eventRecord(r.id, truth);
      const same =
        detail !== undefined &&
        row.type === want.type &&
        (row.actor_email ?? null) === (want.actorEmail ?? null) &&
        (row.actor_name ?? null) === (want.actorName ?? null) &&
        (row.step ?? null) === (want.step ?? null) &&
        (row.evidence ?? null) === (want.evidence ?? null) &&
        new Date(row.at).getTime() === new Date(want.at).getTime() &&
        JSON.stringify(detail) === JSON.stringify(want.detail);
      if (!same) {
        await readModel.replaceEvent(want);
        changes.push(`event ${row.seq} (${row.type}) replaced by the workflow's (${want.type}${detail === undefined ? '; the stored detail was not JSON' : ''})`);
      }
    } else if (row.seq > lastKept || !CHATTER.has(row.type) || detail === undefined) {
      await readModel.deleteEvent(r.id, row.seq);
      changes.push(`event ${row.seq} (${row.type}${row.actor_name ? ` by ${row.actor_name}` : ''}) removed: the workflow never had it`);
    }
  }
  return changes;
}

const REPORT_NUMBER_RE = /^R-(\d{4})-(\d+)$/;

export async function reindex(options: ReindexOptions): Promise<ReindexResult> {
  const { client, readModel } = options;
  const log = options.log ?? (() => undefined);
  const db = readModel.database.db;
  const result: ReindexResult = { reports: 0, events: 0, expected: 0, failed: [], repaired: [] };
  const highest = new Map<number, number>();

  // Only this read model's school's workflows: in a district's namespace every school's are listed, and another
  // school's R-2026-0001 must never be written over this one's.
  const school = readModel.database.school;
  const ours = (workflowId: string) => schoolOfWorkflowId(workflowId) === school;
  for await (const wf of client.workflow.list({ query: "WorkflowType = 'reportWorkflow'" })) {
    if (!ours(wf.workflowId)) continue;
    try {
      const view = await client.workflow.getHandle(wf.workflowId, wf.runId).query(readModelQuery);
      const r = view.report;
      const changes = await readModel.transaction((tx) => repair(tx, view, wf.workflowId));
      if (changes.length > 0) {
        result.repaired.push({ reportId: r.id, changes });
        for (const c of changes) log(`reindex: ${r.id}: ${c}`);
      }
      result.events += (await writeReportUpdate(readModel, view, wf.workflowId, true)).length;
      if (r.status === 'published') {
        // As the publish activity wrote it (activities/publish.ts).
        const summary = view.body.length > 200 ? `${view.body.slice(0, 200)}…` : view.body;
        await readModel.recordPublished({ reportId: r.id, publishedAt: r.publishedAt ?? r.decidedAt ?? r.receivedAt, title: r.title, departmentId: r.departmentId, category: r.category, summary, url: view.publishedUrl });
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
    if (!ours(wf.workflowId)) continue;
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
