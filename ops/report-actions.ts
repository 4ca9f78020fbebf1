/**
 * What the office does to a running report (issue 18 §3), from the dashboard (web/office-actions.ts) or the
 * command line (`baosong report …`): 撤回 withdraw with a reason, 改派 reassign the current step, 催办 remind the
 * step's holders now, and decide the step (同意 / 退回) when the office person holds it.
 *
 * Each is a Temporal update of the report's workflow (`actUpdate`) with evidence unique to the request, which
 * is also the update's id: a double click or a form sent twice is one action, and the caller hears the outcome
 * (done, or refused and why) as soon as the workflow has decided it.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import { REFUSAL_TEXT, type ActionBase, type PersonEvent, type RefusalReason, type TimelineEntry } from '../domain/lifecycle.js';
import type { Person } from '../domain/review.js';
import { keepText } from '../storage/texts.js';
import { actUpdate, REPORT_CLOSED, reportWorkflow, resumeQuery } from '../workflows/report.js';
import { officeUpwardPlan } from '../intake/submit.js';
import { type ErrorCodes } from '../domain/errors.js';

export type ReportAction =
  | { kind: 'withdraw'; reason: string }
  | { kind: 'reassign'; to: Person[] }
  | { kind: 'remind' }
  | { kind: 'approve' }
  | { kind: 'sendBack'; reason: string }
  /** 审核通过 · 待发布 → 已发布, confirmed by the office (the editor did not reply). */
  | { kind: 'markPublished'; url: string | null }
  /** 投稿: send an approved, published or archived piece up to the bureau (config `upward`). */
  | { kind: 'sendUp' };

export type ReportActionErrorCode = ErrorCodes<'EACTION_NOT_FOUND' | 'EACTION_CLOSED' | 'EACTION_INVALID' | 'EACTION_TIMEOUT' | 'EACTION_UNAVAILABLE'>;

export class ReportActionError extends Error {
  constructor(
    readonly code: ReportActionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReportActionError';
  }
}

export interface ActionOutcome {
  /** done: the workflow acted; refused: it recorded why not (nothing changed). */
  result: 'done' | 'refused';
  refused: RefusalReason | null;
  /** What happened, in the school's language. */
  text: string;
  /** The report's timeline entry for the action (seq as in the read model's events). */
  event: Pick<TimelineEntry, 'seq' | 'type' | 'at' | 'note'>;
}

export interface ReportActionDeps {
  config: Config;
  client: Client;
  readModel: ReadModel;
}

const HOUR = 3_600_000;

/**
 * Acts on `reportId` as `actor` (who must be office or leadership: checked by the caller and again by the
 * workflow). `requestId` makes a repeated request the same action (a form's one-time id); `waitMs` is how
 * long to wait for the workflow's record.
 */
export async function actOnReport(
  deps: ReportActionDeps,
  reportId: string,
  actor: Person,
  action: ReportAction,
  options: { via: 'web' | 'cli'; requestId?: string; waitMs?: number },
): Promise<ActionOutcome> {
  const en = deps.config.school.locale === 'en';
  const report = await deps.readModel.getReport(reportId);
  if (!report) throw new ReportActionError('EACTION_NOT_FOUND', en ? `There is no report ${reportId}.` : `没有编号为 ${reportId} 的报送。`);
  const ended = ['published', 'archived', 'withdrawn', 'expired'].includes(report.status);
  if (action.kind === 'sendUp' && !deps.config.upward) throw new ReportActionError('EACTION_INVALID', en ? 'No education bureau is configured (upward in the configuration).' : '配置中没有设置上级教育局（upward），无法上报。');
  if (ended && !(action.kind === 'sendUp' && (report.status === 'published' || report.status === 'archived'))) throw new ReportActionError('EACTION_CLOSED', en ? `Report ${reportId} is closed.` : `报送 ${reportId} 已经结束，不能再操作。`);
  if ((action.kind === 'withdraw' || action.kind === 'sendBack') && !action.reason.trim()) throw new ReportActionError('EACTION_INVALID', en ? 'Please give a reason.' : '请写明原因。');
  if (action.kind === 'reassign' && action.to.length === 0) throw new ReportActionError('EACTION_INVALID', en ? 'Choose who takes the step over.' : '请选择改派给谁。');
  const ref = `office:${options.requestId && /^[A-Za-z0-9_-]{8,64}$/.test(options.requestId) ? options.requestId : randomUUID()}`;
  const base: ActionBase = { actor: { name: actor.name, email: actor.email.toLowerCase() }, evidence: { via: options.via, ref }, ...(report.currentStep !== null ? { step: report.currentStep } : {}) };

  // 催办 at most once an hour per step: answered here without bothering the workflow (which checks again).
  if (action.kind === 'remind') {
    const since = new Date(Date.now() - HOUR).toISOString();
    const recent = (await deps.readModel.timeline(reportId)).find((e) => e.type === 'reminded' && e.actorEmail !== null && e.step === report.currentStep && e.at > since);
    if (recent) return { result: 'refused', refused: 'reminded_recently', text: refusalText('reminded_recently', en), event: { seq: recent.seq, type: 'reminded', at: recent.at, note: typeof recent.detail.note === 'string' ? recent.detail.note : null } };
  }

  const event = await personEvent(deps, base, action);
  const closed = () => new ReportActionError('EACTION_CLOSED', en ? `Report ${reportId} is closed.` : `报送 ${reportId} 已经结束，不能再操作。`);
  const handle = deps.client.workflow.getHandle(report.workflowId);
  let answer;
  try {
    const deadline = new Date(Date.now() + (options.waitMs ?? 15_000));
    const act = () => deps.client.withDeadline(deadline, () => handle.executeUpdate(actUpdate, { args: [event], updateId: ref }));
    answer = await act().catch(async (err: unknown) => {
      // 投稿 of a report whose workflow has ended: a new run of it, from where it ended, with the action waiting.
      if (event.type !== 'sendUp' || !reportHasEnded(err)) throw err;
      // (REPORT_CLOSED: the run is closing this very moment; let it finish first.)
      if (!(err instanceof WorkflowNotFoundError)) await Promise.race([handle.result().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
      await startAgain(deps, report.workflowId, event);
      return act();
    });
  } catch (err) {
    if (reportHasEnded(err)) throw closed();
    if (grpcCode(err) === 7) {
      // PERMISSION_DENIED: a Temporal server with workflow updates switched off (doctor says what to set).
      throw new ReportActionError('EACTION_UNAVAILABLE', en ? 'The Temporal server has workflow updates switched off, so this action cannot be taken. Ask the IT teacher to run `baosong doctor`, which says what to change.' : 'Temporal 服务器关闭了“工作流更新”，这项操作无法执行。请 IT 老师运行 baosong doctor，它会说明要改什么。');
    }
    if (grpcCode(err) === 4) {
      throw new ReportActionError('EACTION_TIMEOUT', en ? 'The request was sent but the report has not decided it yet (is the worker running?). Look at the report’s timeline in a minute.' : '请求已发出，但报送还没有处理（工作进程是否在运行？）。请稍后查看报送的处理记录。');
    }
    throw err;
  }
  const entry = answer.entry;
  if (!entry) {
    // Decided so long ago that the workflow keeps only that it saw it, or never decided because the report ended.
    if (answer.seen === 'now') throw closed();
    return { result: 'done', refused: null, text: en ? 'This was already done.' : '此前已处理过。', event: { seq: 0, type: 'comment', at: new Date().toISOString(), note: null } };
  }
  // The page that follows reads the read model: give the record a moment to land there (it usually has).
  await recorded(deps.readModel, reportId, entry.seq, 2_000);
  const refused = entry.type === 'refused' ? entry.refused : null;
  return {
    result: entry.type === 'refused' ? 'refused' : 'done',
    refused,
    text: refused ? refusalText(refused, en) : doneText(entry, en),
    event: { seq: entry.seq, type: entry.type, at: entry.at, note: entry.note },
  };
}

/** The update failed because the report has ended: its workflow is gone, or its validator said REPORT_CLOSED. */
export function reportHasEnded(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === REPORT_CLOSED;
}

/** The action as the workflow takes it; long reasons are stored and travel as a reference. */
async function personEvent(deps: ReportActionDeps, base: ActionBase, action: ReportAction): Promise<PersonEvent> {
  switch (action.kind) {
    case 'withdraw': {
      const reason = await keepText(deps.config, action.reason);
      return { type: 'withdraw', ...base, reason: reason.text, reasonRef: reason.ref };
    }
    case 'sendBack': {
      const reason = await keepText(deps.config, action.reason);
      return { type: 'sendBack', ...base, reason: reason.text, reasonRef: reason.ref };
    }
    case 'reassign':
      return { type: 'reassign', ...base, to: action.to };
    case 'remind':
      return { type: 'remind', ...base };
    case 'approve':
      return { type: 'approve', ...base };
    case 'markPublished':
      return { type: 'markPublished', ...base, url: action.url };
    case 'sendUp':
      return { type: 'sendUp', ...base, plan: officeUpwardPlan(deps.config)! };
  }
}

/**
 * A report that has ended starts again under the same workflow id from its last state (read from the ended run),
 * with the office's 投稿 waiting: it goes up, then listens for the bureau like any report sent up. A second click
 * meanwhile finds it running (the start is refused as a duplicate) and is answered by the run itself.
 */
async function startAgain(deps: ReportActionDeps, workflowId: string, event: PersonEvent): Promise<void> {
  const last = await deps.client.workflow.getHandle(workflowId).query(resumeQuery);
  await deps.client.workflow
    .start(reportWorkflow, {
      taskQueue: deps.config.temporal.taskQueue,
      workflowId,
      args: [last.input, { state: last.state, inbox: [event] }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    })
    .catch((err: unknown) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
}

async function recorded(readModel: ReadModel, reportId: string, seq: number, waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    if ((await readModel.timeline(reportId)).some((e) => e.seq >= seq)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The gRPC status code in an error's cause chain (4 DEADLINE_EXCEEDED, 7 PERMISSION_DENIED, …), as the client passes it through. */
function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

function refusalText(reason: RefusalReason, en: boolean): string {
  const text = REFUSAL_TEXT[reason][en ? 'en' : 'zh'];
  return en ? `Not done: ${text}.` : `未执行：${text}。`;
}

function doneText(event: TimelineEntry, en: boolean): string {
  const note = event.note ?? '';
  switch (event.type) {
    case 'withdrawn':
      return en ? 'Withdrawn; the submitter and the reviewers were told.' : '已撤回，已通知报送人和审核人。';
    case 'reassigned':
      return en ? `Reassigned to ${note}; they have the review request, and whoever held the step was told.` : `已改派给 ${note.replace(/ <[^>]*>/g, '')}，对方已收到审核邮件，原审核人已收到通知。`;
    case 'reminded':
      return en ? `Reminder sent to ${note}.` : `已催办：已提醒${note}。`;
    case 'approved':
      return en ? 'Approved.' : '已同意。';
    case 'sent_back':
      return en ? 'Sent back to the submitter.' : '已退回报送人修改。';
    case 'upward_requested':
      return en ? `Sent up to ${note}; its answers (received, used, returned) will show on this page.` : `已上报${note}，教育局的回复（收到、录用、退回）会记在本页。`;
    case 'published':
      return en ? `Marked published${note ? ` (${note})` : ''}; the submitter and the head were told.` : `已确认发布${note ? `（${note}）` : ''}，已通知报送人和部门负责人。`;
    default:
      return en ? 'Done.' : '已处理。';
  }
}
