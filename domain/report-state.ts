/**
 * What a report is made of while it lives (domain/lifecycle.ts decides it): its facts and input, the actions
 * people take and the events that reach it, the timeline, the effects to carry out and its state. Pure data
 * and a few helpers on it.
 */
import type { ReportChatEvent, ReportChatPlan } from './chat.js';
import type { RevisionPlan, ReviewPlan } from './plan.js';
import type { CategoryLabel, ReportStatus, Timeliness, Urgency } from './report.js';
import type { Person, ReviewStep } from './review.js';
import type { BureauNoticeKind, UpwardPlan } from './upward.js';
import type { UseLine } from './uses.js';

/** A stored attachment: content-addressed in the data directory, never inside workflow payloads. */
export interface AttachmentRef {
  sha256: string;
  filename: string;
  contentType: string;
  size: number;
}

/**
 * A long text (a report's body, a comment, a send-back reason) stored like an attachment: content-addressed
 * in the data directory (storage/texts.ts). The workflow keeps the reference and a readable excerpt.
 */
export interface TextRef {
  sha256: string;
  /** Bytes (UTF-8). */
  size: number;
}

/** Texts up to this many characters travel whole; longer ones are stored and travel as an excerpt + reference. */
export const INLINE_TEXT_CHARS = 2000;
/** The excerpt kept of a stored text. */
export const EXCERPT_CHARS = 400;
/** A title is one line. */
export const TITLE_CHARS = 200;
/** Comments and refusals (what anyone can send) kept in the workflow; older ones are counted (the read model keeps them all). */
export const KEPT_CHATTER = 20;
/** Timeline entries the `status` query answers with: the most recent ones. */
export const STATUS_TIMELINE_ENTRIES = 50;
/** Evidence of dropped entries remembered, so a late redelivery is still recognised. */
export const SEEN_REFS = 200;

/** The beginning of a text, cut at a character boundary, marked with … when cut. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const t = text.trim();
  if (t.length <= max) return t;
  const code = t.charCodeAt(max - 1);
  const cut = code >= 0xd800 && code <= 0xdbff ? max - 1 : max; // never half a surrogate pair
  return `${t.slice(0, cut).trimEnd()}…`;
}

/** What the workflow keeps of a text: short ones whole, long ones cut (the sender stored the whole text and passed its reference). */
export function boundText(text: string): string {
  const t = text.trim();
  return t.length <= INLINE_TEXT_CHARS ? t : excerpt(t);
}

/** Everything decided before the workflow starts. Times are ISO 8601 strings (UTC). */
export interface ReportFacts {
  reportId: string;
  origin: { kind: 'mail' | 'web'; ref: string };
  submitter: Person;
  department: { id: string; name: string; head: Person };
  category: CategoryLabel;
  urgency: Urgency;
  title: string;
  /** The text, or its excerpt when it is stored (bodyRef). */
  body: string;
  bodyRef?: TextRef | null | undefined;
  attachments: AttachmentRef[];
  eventTime: string;
  receivedAt: string;
  dueAt: string;
  timeliness: Timeliness;
  /** Sent up by a school's baosong (this is a bureau's): the school's report number, named in the answers' cards. */
  upstream?: { ref: string } | undefined;
}

export interface ReportInput {
  facts: ReportFacts;
  chain: ReviewStep[];
  plan: ReviewPlan;
  office: Person[];
  leadership: Person[];
  /** The website editor, mailed each approved report for publishing (config `publish.editorEmail`). */
  editor?: Person | null | undefined;
  /**
   * false: the school had no publish webhook (config `publish.webhookUrl`) when the report came, so publishing is
   * recorded here alone, a quick step (a local activity in runs since 'local-steps'); absent (older reports, or a
   * webhook): an ordinary activity, which may wait hours on the website.
   */
  publishWebhook?: false | undefined;
  /** The school's 公众号 is a channel (config `publish.wechat`): an approved report goes into its draft box. */
  wechat?: boolean | undefined;
  /** Approved reports of this one are kept, not published (config `publish.archiveCategories`). */
  archiveOnly?: boolean | undefined;
  /** Which events go to which chat robots (domain/chat.ts); absent: none. */
  chat?: ReportChatPlan | null | undefined;
  /** 上报: the report goes up to the education bureau (config `upward`, domain/upward.ts); absent: it stays in the school. */
  upward?: UpwardPlan | null | undefined;
}

/** How an action reached us: the Message-ID of a reply, the id of a signed link, … */
export interface Evidence {
  via: 'mail' | 'link' | 'web' | 'cli' | 'system';
  ref: string | null;
}

export interface ActionBase {
  actor: Person;
  evidence: Evidence;
  /** The review round and step the actor meant (from the reply token or link); absent = the current one. */
  round?: number | undefined;
  step?: number | undefined;
  /**
   * What the intake found when it checked where the action came from (reply token, DKIM/DMARC).
   * `ok: false` is refused whoever it claims to be from; absent means a channel that needs no check
   * (a signed link already checked by the web page, the CLI).
   */
  authenticity?: { ok: true; method: string } | { ok: false; problem: string } | undefined;
}

/** `archive`: the last approver keeps the report on record, not for publishing ("同意，仅存档"; publish-states). */
export type ApproveAction = ActionBase & { archive?: boolean | undefined };
// Texts: whole when short, else an excerpt and the reference of the stored whole (storage/texts.ts: keepText).
export type SendBackAction = ActionBase & { reason: string; reasonRef?: TextRef | null | undefined };
export type ReviseAction = ActionBase & { title?: string | undefined; body?: string | undefined; bodyRef?: TextRef | null | undefined; attachments?: AttachmentRef[] | undefined };
export type WithdrawAction = ActionBase & { reason?: string | undefined; reasonRef?: TextRef | null | undefined };
export type CommentAction = ActionBase & { text: string; textRef?: TextRef | null | undefined };
export type ReassignAction = ActionBase & { to: Person[] };
/** The office reminds the holders of the current step now (催办): at most once an hour per step. */
export type RemindAction = ActionBase;
/**
 * A channel says the report is out: the editor's reply "已发布 <URL>", the button on the editor's page, the office.
 * `channel`: 网站 or 公众号 (guessed from the URL when absent).
 */
export type MarkPublishedAction = ActionBase & { url?: string | null | undefined; channel?: string | undefined };
/**
 * The bureau answers a report sent up to it (its reply on the thread, or its baosong's signed card): 收到, 录用
 * (where), 退回 (why: the report reopens to the liaison), 催报. Checked at intake like every action by mail.
 */
/** 投稿: the office sends an approved or published piece up to the bureau (config `upward`), whatever the rules say. */
export type SendUpAction = ActionBase & { plan: UpwardPlan };
export type BureauNoticeAction = ActionBase & { notice: BureauNoticeKind; reason?: string | undefined; reasonRef?: TextRef | null | undefined; use?: UseLine | undefined };

export type PersonEvent =
  | ({ type: 'approve' } & ApproveAction)
  | ({ type: 'sendBack' } & SendBackAction)
  | ({ type: 'revise' } & ReviseAction)
  | ({ type: 'withdraw' } & WithdrawAction)
  | ({ type: 'comment' } & CommentAction)
  | ({ type: 'reassign' } & ReassignAction)
  | ({ type: 'remind' } & RemindAction)
  | ({ type: 'markPublished' } & MarkPublishedAction)
  | ({ type: 'bureau' } & BureauNoticeAction)
  | ({ type: 'sendUp' } & SendUpAction);

export type TimerKind = 'remind' | 'review_due' | 'overdue_remind' | 'revision_remind' | 'expire' | 'publish_remind' | 'upward_remind' | 'upward_due' | 'upward_listen_end';

export type ReportEvent =
  | PersonEvent
  | { type: 'timer'; timer: TimerKind }
  /** `from`: when the round's clock started (receipt or revision), so the round can be planned again. */
  | { type: 'review_planned'; plan: ReviewPlan; from?: string | undefined }
  /** The same round planned again on a changed calendar (calendar.statutory added): a new due time. */
  | { type: 'deadline_moved'; plan: ReviewPlan }
  | { type: 'overdue_planned'; reminders: string[] }
  | { type: 'revision_planned'; plan: RevisionPlan }
  /**
   * What publishing did. `published: false` (publish-states): the channels were asked (the editor mailed, a
   * 公众号 draft made) but none says it is out yet; absent in runs from before, where asking counted as published.
   */
  | { type: 'published'; url: string | null; published?: boolean | undefined; channel?: string | undefined }
  /** When to remind the editor of an approved report not yet published. */
  | { type: 'publish_planned'; reminders: string[] }
  /** The report went up to the bureau (the activity's answer): the mail's Message-ID. */
  | { type: 'upward_sent'; messageId: string }
  /** The upward mail could not go (refused for good, or a day of trying): recorded; the office can send it again (投稿). */
  | { type: 'upward_failed'; reason: string };

export type TimelineType =
  | 'received'
  | 'review_requested'
  | 'approved'
  | 'sent_back'
  | 'revised'
  | 'withdrawn'
  | 'expired'
  | 'published'
  | 'archived'
  | 'comment'
  | 'refused'
  | 'reminded'
  | 'escalated'
  | 'overdue'
  | 'reassigned'
  | 'deadline_moved'
  | 'sent_upward'
  | 'upward_requested'
  | 'upward_failed'
  | 'upward_overdue'
  | 'bureau_received'
  | 'bureau_used'
  | 'bureau_returned'
  | 'bureau_chased';

export type RefusalReason =
  | 'not_holder'
  | 'step_decided'
  | 'not_in_review'
  | 'not_returned'
  | 'not_submitter'
  | 'not_office'
  | 'not_participant'
  | 'reason_missing'
  | 'unverified'
  | 'closed'
  | 'reminded_recently'
  | 'not_publisher'
  | 'not_approved'
  | 'not_bureau'
  | 'already_up'
  | 'earlier_send';

export const REFUSAL_TEXT: Record<RefusalReason, { zh: string; en: string }> = {
  not_holder: { zh: '操作人不是当前审核环节的审核人', en: 'the actor does not hold the current review step' },
  step_decided: { zh: '该审核环节已处理完毕', en: 'that review step has already been decided' },
  not_in_review: { zh: '报送当前不在审核中', en: 'the report is not in review' },
  not_returned: { zh: '报送未被退回，无需修改', en: 'the report was not sent back' },
  not_submitter: { zh: '只有报送人可以修改或撤回', en: 'only the submitter may revise or withdraw' },
  not_office: { zh: '只有办公室可以改派审核人', en: 'only the office may reassign a step' },
  not_participant: { zh: '操作人与该报送无关', en: 'the actor takes no part in this report' },
  reason_missing: { zh: '退回必须写明原因', en: 'a send-back needs a reason' },
  unverified: { zh: '无法确认这封回复确实来自审核人本人（回复凭证或发件人验证未通过），该操作未生效', en: 'the reply could not be verified as coming from the reviewer (reply token or sender authentication failed); nothing was changed' },
  closed: { zh: '报送已结束', en: 'the report is closed' },
  reminded_recently: { zh: '一小时内已催办过这一环节', en: 'this step was reminded less than an hour ago' },
  not_publisher: { zh: '只有网站编辑、办公室或学校领导可以确认发布', en: 'only the website editor, the office or the school’s leaders may confirm publication' },
  not_approved: { zh: '报送尚未审核通过，不能确认发布', en: 'the report is not approved yet, so it cannot be marked published' },
  not_bureau: { zh: '只有上级教育局可以回复上报情况', en: 'only the education bureau may answer for a report sent up to it' },
  already_up: { zh: '这篇报送已经上报过教育局', en: 'this report has already been sent up to the bureau' },
  earlier_send: { zh: '教育局的这封退回针对的是较早一次上报，修改稿已经重新上报', en: 'the bureau returned an earlier sending; the revision has gone up since' },
};

export interface TimelineEntry {
  seq: number;
  at: string;
  type: TimelineType;
  round: number;
  step: number | null;
  actor: Person | null;
  evidence: Evidence | null;
  /** The send-back reason, the comment, the refused action, who it was reassigned to, … (an excerpt when noteRef is set) */
  note: string | null;
  /** Where the whole note is stored, when it was long. */
  noteRef?: TextRef | null | undefined;
  refused: RefusalReason | null;
}

export type MailKind =
  | 'receipt'
  | 'review_request'
  | 'reminder'
  | 'escalation'
  | 'returned'
  | 'revision_received'
  | 'approved'
  | 'publish_request'
  | 'published'
  | 'withdrawn'
  | 'expired'
  | 'refused'
  | 'reassigned'
  | 'co_decided'
  | 'upward_due'
  | 'bureau_notice';

export interface MailEffect {
  type: 'mail';
  kind: MailKind;
  to: Person[];
  /** Unique within the report and deterministic: the timeline entry that caused the mail. */
  key: string;
  round: number;
  step: number | null;
  actor?: Person;
  /** Send-back reason, refusal reason, … */
  reason?: string;
  attemptedAction?: string;
  overdue?: boolean;
  /** bureau_notice: what the bureau said (录用: where, as "县区级 · 县教育网"). */
  bureau?: { notice: BureauNoticeKind; name: string; use?: string | undefined };
}

/** One chat message to one robot; started without waiting, so chat never delays mail. */
export interface ChatEffect {
  type: 'chat';
  event: ReportChatEvent;
  /** Unique within the report and deterministic, like a mail's: the timeline entry and the event. */
  key: string;
  robot: string;
  step: number | null;
}

export type Effect =
  | MailEffect
  | ChatEffect
  /** `channelsSay` (publish-states): published only when a channel returns its page; else the report waits, 待发布. */
  | { type: 'publish'; channelsSay?: boolean }
  | { type: 'plan_publish'; from: string }
  /** Into the 公众号 draft box; started, not awaited (a WeChat outage holds up nothing else). */
  | { type: 'wechat_draft' }
  /** A publication confirmed by a person: into the published archive and the uses (录用, 校级). */
  | { type: 'record_publication'; url: string | null; channel: string }
  | { type: 'plan_review'; from: string }
  | { type: 'plan_overdue'; after: string }
  | { type: 'plan_revision'; from: string }
  /** 上报: the report to the bureau, one mail per report, round and bureau however often it runs; its answer is `upward_sent`. */
  | { type: 'send_upward' };

/** Where a report's way up stands (domain/upward.ts). */
export interface UpwardState {
  /** pending: to be sent; sent: out, listening for the bureau; returned: the bureau sent it back, it goes again after approval; cancelled: the report ended before it went. */
  status: 'pending' | 'sent' | 'returned' | 'cancelled';
  /** Mails sent up so far (a report the bureau returned goes up again). */
  sends: number;
  sentAt: string | null;
  /** Until when the bureau's answers are listened for. */
  listenUntil: string | null;
  reminderIndex: number;
  overdue: boolean;
  /** The bureau reopened a report that had ended (已发布 / 仅存档): its next approval returns there, without publishing again. */
  reopenedFrom: ReportStatus | null;
  /** The bureau's 退回 mail (its Message-ID): the next mail up answers it, so the bureau's baosong takes it as the revision. */
  answerTo?: string | null | undefined;
  /** The office sent it up itself (投稿), not by a rule: the plan it went with. */
  plan?: UpwardPlan | undefined;
}

export interface ReportState {
  status: ReportStatus;
  round: number;
  /** Index in `chain` while in review, else null. */
  step: number | null;
  chain: ReviewStep[];
  title: string;
  body: string;
  bodyRef: TextRef | null;
  attachments: AttachmentRef[];
  plan: ReviewPlan;
  /** When this round's clock started (absent in runs from before it was kept: round 1 then starts at receipt). */
  planFrom?: string | undefined;
  reminderIndex: number;
  overdueIndex: number;
  overdue: boolean;
  revision: RevisionPlan | null;
  revisionReminderIndex: number;
  /** The step that sent the report back: review resumes there after a revision. */
  returnedFromStep: number | null;
  returnedCount: number;
  decidedAt: string | null;
  publishedAt: string | null;
  publishedUrl: string | null;
  /** When to remind that an approved report waits to be published, and how many were sent (publish-states). */
  publishReminders?: string[] | undefined;
  publishReminderIndex?: number | undefined;
  /**
   * The report's story, bounded: every step of the report, but only the last KEPT_CHATTER comments and
   * refusals (anyone can send those). `omitted` counts the entries dropped; entry seq numbers keep counting.
   */
  timeline: TimelineEntry[];
  omitted: number;
  /** Comments accepted so far (kept or not). */
  comments: number;
  /** `via:ref` of the dropped entries' evidence, newest last (bounded). */
  seenEvidence: string[];
  /** 上报 (absent: the report stays in the school, or a run from before it). */
  upward?: UpwardState | undefined;
}

export interface Decision {
  state: ReportState;
  effects: Effect[];
}

const FINAL: readonly ReportStatus[] = ['published', 'archived', 'withdrawn', 'expired'];

export function isFinal(status: ReportStatus): boolean {
  return FINAL.includes(status);
}

/** The seq of the last timeline entry (= how many entries the report has had, kept or not). */
export function lastSeq(state: ReportState): number {
  return state.omitted + state.timeline.length;
}
