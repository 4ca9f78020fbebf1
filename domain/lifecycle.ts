/**
 * The life of one report as a pure state machine: received → in review (step i of n) → approved →
 * published; returned → revised → in review; withdrawn; expired. `decide` takes the state and one
 * event (a person's action, a timer, or the result of planning/publishing) and returns the new state
 * and the effects to carry out (mails, publishing, planning). The Temporal workflow only drives it:
 * it waits for signals and timers and runs the effects as activities.
 *
 * Long file: every transition of a report, 上报 and the bureau's answers included, reads beside the others and
 * shares one Transition builder; split, each part would need the builder's internals exported.
 */
import { reportEventAudiences, robotsOf, type ReportChatEvent } from './chat.js';
import type { ReviewPlan } from './plan.js';
import { escalationTargets, type Person, type ReviewStepKind } from './review.js';
import type { UpwardPlan } from './upward.js';
import { boundText, excerpt, isFinal, KEPT_CHATTER, lastSeq, SEEN_REFS, TITLE_CHARS, type Evidence, type MailEffect, type Decision, type Effect, type MailKind, type PersonEvent, type RefusalReason, type ReportEvent, type ReportInput, type ReportState, type TimelineEntry, type TimelineType, type TimerKind } from './report-state.js';

// The data of a report and the views of it live beside this file; importers keep importing them from here.
export * from './report-state.js';
export * from './report-views.js';

const sameEmail = (a: Person, b: Person) => a.email.toLowerCase() === b.email.toLowerCase();
const includes = (people: readonly Person[], p: Person) => people.some((q) => sameEmail(q, p));
const unique = (people: Person[]) => people.filter((p, i) => people.findIndex((q) => sameEmail(p, q)) === i);

/** A small builder so each transition reads as a story: note what happened, say what to send. */
class Transition {
  readonly effects: Effect[] = [];
  constructor(
    readonly input: ReportInput,
    readonly state: ReportState,
    readonly now: string,
    readonly rules: DecideRules = {},
  ) {}

  record(type: TimelineType, fields: Partial<Omit<TimelineEntry, 'seq' | 'at' | 'type'>> = {}): TimelineEntry {
    const entry: TimelineEntry = {
      seq: lastSeq(this.state) + 1,
      at: this.now,
      type,
      round: fields.round ?? this.state.round,
      step: fields.step === undefined ? this.state.step : fields.step,
      actor: fields.actor ?? null,
      evidence: fields.evidence ?? null,
      note: fields.note == null ? null : boundText(fields.note),
      ...(fields.noteRef ? { noteRef: fields.noteRef } : {}),
      refused: fields.refused ?? null,
    };
    this.state.timeline.push(entry);
    if (CHATTER.has(type)) this.forgetOldChatter();
    return entry;
  }

  /** Keeps the last KEPT_CHATTER comments and refusals; the older ones live on in the read model only. */
  forgetOldChatter(): void {
    const s = this.state;
    const chatter = s.timeline.filter((e) => CHATTER.has(e.type));
    for (const old of chatter.slice(0, Math.max(0, chatter.length - KEPT_CHATTER))) {
      s.timeline.splice(s.timeline.indexOf(old), 1);
      s.omitted += 1;
      if (old.evidence?.ref) s.seenEvidence = [...s.seenEvidence, `${old.evidence.via}:${old.evidence.ref}`].slice(-SEEN_REFS);
    }
  }

  mail(kind: MailKind, to: Person[], cause: TimelineEntry, extra: Partial<MailEffect> = {}): void {
    const recipients = unique(to);
    if (recipients.length === 0) return;
    this.effects.push({ type: 'mail', kind, to: recipients, key: `${cause.seq}-${kind}`, round: this.state.round, step: this.state.step, ...extra });
  }

  /** A chat message to each robot that hears this event, if the report's chat plan has it. */
  chat(event: ReportChatEvent, cause: TimelineEntry): void {
    const plan = this.input.chat;
    if (!plan?.events.includes(event)) return;
    const kind = this.state.step === null ? null : (this.state.chain[this.state.step]?.kind ?? null);
    for (const robot of robotsOf(plan, reportEventAudiences(event, kind))) this.effects.push({ type: 'chat', event, key: `${cause.seq}-${event}`, robot, step: this.state.step });
  }

  holders(): Person[] {
    return this.state.step === null ? [] : (this.state.chain[this.state.step]?.holders ?? []);
  }

  requestReview(cause?: TimelineEntry, announce = true): void {
    const entry = this.record('review_requested', { note: this.holders().map((p) => p.name).join('、') });
    this.mail('review_request', this.holders(), cause ?? entry);
    if (announce) this.chat('review_waiting', entry);
  }

  done(): Decision {
    return { state: this.state, effects: this.effects };
  }
}

const CHATTER: ReadonlySet<TimelineType> = new Set(['comment', 'refused']);

function clone(state: ReportState): ReportState {
  return {
    ...state,
    chain: state.chain.map((s) => ({ kind: s.kind, holders: [...s.holders] })),
    attachments: [...state.attachments],
    timeline: [...state.timeline],
    seenEvidence: [...state.seenEvidence],
  };
}

/** The first state: received, receipt to the submitter, review requested from the first step. */
export function startReport(input: ReportInput, now: string): Decision {
  const f = input.facts;
  const state: ReportState = {
    status: 'received',
    round: 1,
    step: null,
    chain: input.chain.map((s) => ({ kind: s.kind, holders: [...s.holders] })),
    title: excerpt(f.title, TITLE_CHARS),
    body: boundText(f.body),
    bodyRef: f.bodyRef ?? null,
    attachments: [...f.attachments],
    plan: input.plan,
    reminderIndex: 0,
    overdueIndex: 0,
    overdue: false,
    revision: null,
    revisionReminderIndex: 0,
    returnedFromStep: null,
    returnedCount: 0,
    decidedAt: null,
    publishedAt: null,
    publishedUrl: null,
    timeline: [],
    omitted: 0,
    comments: 0,
    seenEvidence: [],
    ...(input.upward ? { upward: { status: 'pending' as const, sends: 0, sentAt: null, listenUntil: null, reminderIndex: 0, overdue: false, reopenedFrom: null } } : {}),
  };
  const t = new Transition(input, state, now);
  const received = t.record('received', { actor: f.submitter, evidence: { via: f.origin.kind, ref: f.origin.ref }, step: null, note: f.timeliness === 'late' ? 'late' : null });
  t.mail('receipt', [f.submitter], received);
  state.status = 'in_review';
  state.step = 0;
  // The new-report message says who reviews first: no separate "waiting" message for step 1.
  t.chat('new_report', received);
  t.requestReview(undefined, false);
  // An incident goes up at once: the bureau's clock does not wait for the school's review.
  if (input.upward?.parallel) t.effects.push({ type: 'send_upward' });
  return t.done();
}

/**
 * Rules that changed after reports were already running; the workflow turns each on with `patched()`, so a
 * history from before decides as it did then.
 * - `officeActions` (issue 18 §3): the office and the school's leaders may withdraw a report (with a reason) and
 *   reassign a step; the holders a reassignment replaces are told; the office may remind a step now (催办).
 */
export interface DecideRules {
  officeActions?: boolean;
  /**
   * `reviewNotices` (issue 18 §4): when one of several holders decides a step, the others are told at once;
   * a refused action is told to the person who tried it only (the office and the real holders only for a forgery).
   */
  reviewNotices?: boolean;
  /**
   * `publishStates` (issue 20): after the last approval a report waits, 审核通过 · 待发布, until a channel says it
   * is out (the website's answer with its page, the editor's "已发布", the office); the editor is reminded after a
   * working day; a category the school keeps, not publishes, ends 审核通过 · 仅存档.
   */
  publishStates?: boolean;
}

/** Applies one event. Never throws for a person's action: what may not happen is refused and recorded. */
export function decide(input: ReportInput, current: ReportState, event: ReportEvent, now: string, rules: DecideRules = {}): Decision {
  const t = new Transition(input, clone(current), now, rules);
  // A forged or unverifiable action is refused before anything else is looked at.
  if ('authenticity' in event && event.authenticity?.ok === false) return refuse(t, event, 'unverified');
  switch (event.type) {
    case 'approve':
    case 'sendBack':
      return review(t, event);
    case 'revise':
      return revise(t, event);
    case 'withdraw':
      return withdraw(t, event);
    case 'comment':
      return comment(t, event);
    case 'reassign':
      return reassign(t, event);
    case 'remind':
      return remindNow(t, event);
    case 'markPublished':
      return markPublished(t, event);
    case 'bureau':
      return bureauNotice(t, event);
    case 'sendUp':
      return sendUp(t, event);
    case 'upward_sent':
      return upwardSent(t, event.messageId);
    case 'upward_failed': {
      const u = t.state.upward;
      if (!u || u.status === 'sent') return t.done();
      // Not left pending (the report would wait for it forever): the office sees why, and may send it up again.
      Object.assign(u, { status: 'cancelled', reopenedFrom: null });
      t.record('upward_failed', { step: null, evidence: { via: 'system', ref: null }, note: event.reason });
      return t.done();
    }
    case 'publish_planned':
      Object.assign(t.state, { publishReminders: event.reminders, publishReminderIndex: 0 });
      return t.done();
    case 'timer':
      return timer(t, event.timer);
    case 'review_planned':
      Object.assign(t.state, { plan: event.plan, reminderIndex: 0, overdueIndex: 0, overdue: false });
      if (event.from !== undefined) t.state.planFrom = event.from;
      skipPastReminders(t);
      return t.done();
    case 'deadline_moved':
      return deadlineMoved(t, event.plan);
    case 'overdue_planned':
      Object.assign(t.state, { plan: { ...t.state.plan, overdueReminders: event.reminders }, overdueIndex: 0 });
      return t.done();
    case 'revision_planned':
      Object.assign(t.state, { revision: event.plan, revisionReminderIndex: 0 });
      return t.done();
    case 'published':
      if (event.published === false) return publishRequested(t);
      // A channel's page (publish-states): into the archive and the uses, stamped with the report's publication time.
      if (event.published === true && t.state.status === 'approved') t.effects.push({ type: 'record_publication', url: event.url, channel: event.channel ?? '网站' });
      return published(t, event.url);
  }
}

/** True when this exact piece of evidence (a reply's Message-ID, a link) was already acted on. */
export function alreadySeen(state: ReportState, evidence: Evidence): boolean {
  if (evidence.ref === null || evidence.via === 'system') return false;
  return state.timeline.some((e) => e.evidence?.via === evidence.via && e.evidence.ref === evidence.ref) || state.seenEvidence.includes(`${evidence.via}:${evidence.ref}`);
}

function refuse(t: Transition, event: PersonEvent, reason: RefusalReason): Decision {
  const problem = event.authenticity?.ok === false ? `: ${event.authenticity.problem}` : '';
  const entry = t.record('refused', { actor: event.actor, evidence: event.evidence, note: `${event.type}${problem}`, refused: reason, step: event.step ?? t.state.step, round: event.round ?? t.state.round });
  const forged = reason === 'unverified';
  // Nothing is ever mailed back to a bureau's baosong for a refusal: two machines must not talk in a loop.
  if (event.type === 'bureau') return t.done();
  // 投稿 refused (already up, not allowed): the office hears it on the page that asked; no mail.
  if (event.type === 'sendUp') return t.done();
  // Comments and reassignments refused by the rules are only recorded: nothing was at stake. A forged one is told.
  if ((event.type === 'comment' || event.type === 'reassign' || event.type === 'remind') && !forged) return t.done();
  if (t.rules.reviewNotices === true && !forged) {
    // A real person's action the rules did not allow: they are told why; no one else needs alarming.
    t.mail('refused', [event.actor], entry, { actor: event.actor, reason, attemptedAction: event.type });
    return t.done();
  }
  const attemptedOnStep = event.type === 'approve' || event.type === 'sendBack';
  // The real holder hears of it; for a forged action that includes the person it pretended to be.
  const realHolders = attemptedOnStep ? t.holders().filter((p) => forged || !sameEmail(p, event.actor)) : [];
  const impersonated = forged && includes(participants(t), event.actor) ? [event.actor] : [];
  t.mail('refused', [...t.input.office, ...realHolders, ...impersonated], entry, { actor: event.actor, reason, attemptedAction: event.type });
  return t.done();
}

function review(t: Transition, event: Extract<PersonEvent, { type: 'approve' | 'sendBack' }>): Decision {
  const s = t.state;
  if (s.status !== 'in_review' || s.step === null) return refuse(t, event, isFinal(s.status) ? 'closed' : 'not_in_review');
  if ((event.round !== undefined && event.round !== s.round) || (event.step !== undefined && event.step !== s.step)) return refuse(t, event, 'step_decided');
  if (!includes(t.holders(), event.actor)) return refuse(t, event, 'not_holder');
  const actor = t.holders().find((p) => sameEmail(p, event.actor)) ?? event.actor;

  if (event.type === 'sendBack') {
    const reason = boundText(event.reason);
    if (reason === '') return refuse(t, event, 'reason_missing');
    const entry = t.record('sent_back', { actor, evidence: event.evidence, note: reason, noteRef: event.reasonRef ?? null });
    s.returnedFromStep = s.step;
    s.returnedCount += 1;
    s.status = 'returned';
    s.revision = null;
    // Plan first: the 'returned' mail tells the submitter the revision deadline.
    t.effects.push({ type: 'plan_revision', from: t.now });
    t.mail('returned', [t.input.facts.submitter], entry, { actor, reason });
    tellCoHolders(t, actor, entry, 'sent_back');
    s.step = null;
    return t.done();
  }

  tellCoHolders(t, actor, t.record('approved', { actor, evidence: event.evidence }), 'approved');
  if (s.step + 1 < s.chain.length) {
    s.step += 1;
    t.requestReview();
    return t.done();
  }
  s.status = 'approved';
  s.step = null;
  s.decidedAt = t.now;
  const approved = t.state.timeline[t.state.timeline.length - 1]!;
  // 上报 after the last approval (or again, after the bureau sent it back).
  const u = s.upward;
  if (u && (u.status === 'returned' || (u.status === 'pending' && !planOf(t)?.parallel))) t.effects.push({ type: 'send_upward' });
  if (u?.reopenedFrom) {
    // The bureau reopened a report that had ended: approved again, it goes back up and back to where it was, not published twice.
    s.status = u.reopenedFrom;
    u.reopenedFrom = null;
    t.mail('approved', [t.input.facts.submitter, t.input.facts.department.head], approved, { actor, reason: 'upward' });
    return t.done();
  }
  if (t.rules.publishStates === true && (t.input.archiveOnly === true || event.archive === true)) {
    s.status = 'archived';
    const entry = t.record('archived', { step: null });
    t.mail('approved', [t.input.facts.submitter, t.input.facts.department.head], entry, { actor, reason: 'archive' });
    return t.done();
  }
  // The website editor first (the final text, the files, the facts), then publishing, whose mail tells the submitter.
  if (t.input.editor) t.mail('publish_request', [t.input.editor], approved);
  t.effects.push(t.rules.publishStates === true ? { type: 'publish', channelsSay: true } : { type: 'publish' });
  if (t.rules.publishStates === true && t.input.wechat === true) t.effects.push({ type: 'wechat_draft' });
  return t.done();
}

/** The channels were asked, none says it is out yet: 待发布. The submitter hears it is approved; the editor is reminded later. */
function publishRequested(t: Transition): Decision {
  const s = t.state;
  if (s.status !== 'approved') return t.done();
  const approved = [...s.timeline].reverse().find((e) => e.type === 'approved');
  if (approved) t.mail('approved', [t.input.facts.submitter, t.input.facts.department.head], approved, approved.actor ? { actor: approved.actor } : {});
  t.effects.push({ type: 'plan_publish', from: t.now });
  return t.done();
}

/** Who is asked to publish, and reminded: the website editor, else the office. */
function publishers(t: Transition): Person[] {
  return t.input.editor ? [t.input.editor] : t.input.office;
}

/** The editor (or the office, or a leader) says it is out, with its page when there is one. */
function markPublished(t: Transition, event: Extract<PersonEvent, { type: 'markPublished' }>): Decision {
  const s = t.state;
  const allowed = (t.input.editor && sameEmail(event.actor, t.input.editor)) || isOfficeOrLeader(t, event.actor);
  if (!allowed) return refuse(t, event, 'not_publisher');
  if (s.status !== 'approved') return refuse(t, event, isFinal(s.status) ? 'closed' : 'not_approved');
  const url = event.url?.trim() || null;
  const channel = event.channel ?? (url && /mp\.weixin\.qq\.com/.test(url) ? '公众号' : '网站');
  t.effects.push({ type: 'record_publication', url, channel });
  return published(t, url, event);
}

/** The step's other holders (two office reviewers, two leaders) hear at once that it is decided, and by whom. */
function tellCoHolders(t: Transition, actor: Person, entry: TimelineEntry, how: 'approved' | 'sent_back'): void {
  if (t.rules.reviewNotices !== true) return;
  t.mail('co_decided', t.holders().filter((p) => !sameEmail(p, actor)), entry, { actor, reason: how });
}

function published(t: Transition, url: string | null, by?: Extract<PersonEvent, { type: 'markPublished' }>): Decision {
  const s = t.state;
  if (s.status !== 'approved') return t.done();
  s.status = 'published';
  s.publishedAt = t.now;
  s.publishedUrl = url;
  const entry = t.record('published', { note: url, step: null, ...(by ? { actor: by.actor, evidence: by.evidence } : {}) });
  const f = t.input.facts;
  t.mail('published', [f.submitter, f.department.head], entry, by ? { actor: by.actor } : {});
  return t.done();
}

function revise(t: Transition, event: Extract<PersonEvent, { type: 'revise' }>): Decision {
  const s = t.state;
  if (s.status !== 'returned') return refuse(t, event, isFinal(s.status) ? 'closed' : 'not_returned');
  if (!sameEmail(event.actor, t.input.facts.submitter)) return refuse(t, event, 'not_submitter');
  if (event.title?.trim()) s.title = excerpt(event.title, TITLE_CHARS);
  if (event.body?.trim()) {
    s.body = boundText(event.body);
    s.bodyRef = event.bodyRef ?? null;
  }
  if (event.attachments && event.attachments.length > 0) s.attachments = [...s.attachments, ...event.attachments.filter((a) => !s.attachments.some((b) => b.sha256 === a.sha256))];
  s.round += 1;
  s.status = 'in_review';
  s.step = s.returnedFromStep ?? 0;
  s.revision = null;
  const entry = t.record('revised', { actor: t.input.facts.submitter, evidence: event.evidence, step: null });
  t.mail('revision_received', [t.input.facts.submitter], entry);
  t.requestReview();
  t.effects.push({ type: 'plan_review', from: t.now });
  return t.done();
}

function withdraw(t: Transition, event: Extract<PersonEvent, { type: 'withdraw' }>): Decision {
  const s = t.state;
  if (isFinal(s.status) || s.status === 'approved') return refuse(t, event, 'closed');
  // The office (or a leader) may withdraw any open report, with a reason the submitter is told.
  const byOffice = t.rules.officeActions === true && !sameEmail(event.actor, t.input.facts.submitter) && isOfficeOrLeader(t, event.actor);
  if (!byOffice && !sameEmail(event.actor, t.input.facts.submitter)) return refuse(t, event, 'not_submitter');
  if (byOffice && !event.reason?.trim()) return refuse(t, event, 'reason_missing');
  const actor = byOffice ? event.actor : t.input.facts.submitter;
  const holders = t.holders();
  // A report the bureau reopened after it had ended goes back to what it was (it stays on the website); it just does not go up again.
  s.status = s.upward?.reopenedFrom ?? 'withdrawn';
  s.step = null;
  cancelUpward(s);
  const entry = t.record('withdrawn', { actor, evidence: event.evidence, note: event.reason?.trim() || null, noteRef: event.reasonRef ?? null });
  t.mail('withdrawn', [t.input.facts.submitter, ...holders], entry, { actor, ...(entry.note ? { reason: entry.note } : {}) });
  return t.done();
}

function isOfficeOrLeader(t: Transition, p: Person): boolean {
  return includes(t.input.office, p) || includes(t.input.leadership, p);
}

/** 催办: the holders of the current step are reminded now, at most once an hour per step (the office's, not the timers'). */
function remindNow(t: Transition, event: Extract<PersonEvent, { type: 'remind' }>): Decision {
  const s = t.state;
  if (t.rules.officeActions !== true) return t.done();
  if (!isOfficeOrLeader(t, event.actor)) return refuse(t, event, 'not_office');
  if (s.status !== 'in_review' || s.step === null) return refuse(t, event, isFinal(s.status) ? 'closed' : 'not_in_review');
  if (event.step !== undefined && event.step !== s.step) return refuse(t, event, 'step_decided');
  const hourAgo = new Date(Date.parse(t.now) - 3_600_000).toISOString();
  const recent = s.timeline.some((e) => e.type === 'reminded' && e.actor !== null && e.round === s.round && e.step === s.step && e.at > hourAgo);
  if (recent) return refuse(t, event, 'reminded_recently');
  const entry = t.record('reminded', { actor: event.actor, evidence: event.evidence, note: t.holders().map((p) => p.name).join('、') });
  t.mail('reminder', t.holders(), entry, s.overdue ? { overdue: true } : {});
  return t.done();
}

function participants(t: Transition): Person[] {
  const f = t.input.facts;
  return [f.submitter, f.department.head, ...t.state.chain.flatMap((s) => s.holders), ...t.input.office, ...t.input.leadership];
}

function comment(t: Transition, event: Extract<PersonEvent, { type: 'comment' }>): Decision {
  if (!includes(participants(t), event.actor)) return refuse(t, event, 'not_participant');
  t.state.comments += 1;
  t.record('comment', { actor: event.actor, evidence: event.evidence, note: event.text, noteRef: event.textRef ?? null });
  return t.done();
}

function reassign(t: Transition, event: Extract<PersonEvent, { type: 'reassign' }>): Decision {
  const s = t.state;
  const officeActions = t.rules.officeActions === true;
  if (!(officeActions ? isOfficeOrLeader(t, event.actor) : includes(t.input.office, event.actor))) return refuse(t, event, 'not_office');
  if (s.status !== 'in_review' || s.step === null) return refuse(t, event, isFinal(s.status) ? 'closed' : 'not_in_review');
  if (event.step !== undefined && event.step !== s.step) return refuse(t, event, 'step_decided');
  const to = unique(event.to.map((p) => ({ name: p.name, email: p.email.toLowerCase() })));
  if (to.length === 0) return refuse(t, event, 'not_holder');
  const step = s.chain[s.step];
  const before = t.holders();
  if (step) step.holders = to;
  const entry = t.record('reassigned', { actor: event.actor, evidence: event.evidence, note: to.map((p) => `${p.name} <${p.email}>`).join(', ') });
  t.mail('review_request', to, entry);
  // Whoever held the step and no longer does is told, so they do not answer a request that is not theirs any more.
  if (officeActions) t.mail('reassigned', before.filter((p) => !includes(to, p)), entry, { actor: event.actor, reason: to.map((p) => p.name).join('、') });
  t.chat('review_waiting', entry);
  return t.done();
}

/** Reminders planned before `now` (a workflow started late, a revision) are not sent after the fact. */
/**
 * The round's due time moved with the calendar (the office added the year's schedule): reminders and
 * escalation follow the new plan. A report already overdue stays overdue unless the new due time is still ahead.
 */
function deadlineMoved(t: Transition, plan: ReviewPlan): Decision {
  const s = t.state;
  if (s.status !== 'in_review' || plan.dueAt === s.plan.dueAt) return t.done();
  const before = s.plan.dueAt;
  const stillAhead = plan.dueAt > t.now;
  Object.assign(s, { plan, reminderIndex: 0, overdueIndex: 0, overdue: stillAhead ? false : s.overdue });
  skipPastReminders(t);
  t.record('deadline_moved', { evidence: { via: 'system', ref: null }, note: `${before} → ${plan.dueAt}` });
  return t.done();
}

/** When the current review round's clock started, if known (for planning it again). */
export function roundStartedAt(input: ReportInput, state: ReportState): string | null {
  return state.planFrom ?? (state.round === 1 ? input.facts.receivedAt : null);
}

function skipPastReminders(t: Transition): void {
  const s = t.state;
  while (s.reminderIndex < s.plan.reminders.length && (s.plan.reminders[s.reminderIndex] ?? '') <= t.now) s.reminderIndex++;
}

function timer(t: Transition, kind: TimerKind): Decision {
  const s = t.state;
  const f = t.input.facts;
  switch (kind) {
    case 'remind': {
      if (s.status !== 'in_review') return t.done();
      s.reminderIndex += 1;
      const entry = t.record('reminded', { note: t.holders().map((p) => p.name).join('、') });
      t.mail('reminder', t.holders(), entry);
      return t.done();
    }
    case 'review_due': {
      if (s.status !== 'in_review' || s.overdue || s.step === null) return t.done();
      s.overdue = true;
      s.reminderIndex = s.plan.reminders.length;
      const kindOfStep: ReviewStepKind = s.chain[s.step]?.kind ?? 'office';
      t.record('overdue');
      const targets = escalationTargets(kindOfStep, t.input);
      const entry = t.record('escalated', { note: targets.map((p) => p.name).join('、') });
      t.mail('escalation', targets, entry, { overdue: true });
      t.mail('reminder', t.holders(), entry, { overdue: true });
      t.chat('overdue', entry);
      return t.done();
    }
    case 'overdue_remind': {
      if (s.status !== 'in_review' || !s.overdue) return t.done();
      const at = s.plan.overdueReminders[s.overdueIndex];
      s.overdueIndex += 1;
      const entry = t.record('reminded', { note: t.holders().map((p) => p.name).join('、') });
      t.mail('reminder', t.holders(), entry, { overdue: true });
      if (s.overdueIndex >= s.plan.overdueReminders.length && at) t.effects.push({ type: 'plan_overdue', after: at });
      return t.done();
    }
    case 'revision_remind': {
      if (s.status !== 'returned' || !s.revision) return t.done();
      s.revisionReminderIndex += 1;
      const entry = t.record('reminded', { actor: null, note: f.submitter.name, step: null });
      t.mail('reminder', [f.submitter], entry, { overdue: true });
      return t.done();
    }
    case 'upward_remind': {
      const u = s.upward;
      if (!u || u.status !== 'pending') return t.done();
      u.reminderIndex += 1;
      const who = upwardHolders(t);
      const entry = t.record('reminded', { note: `upward: ${who.map((p) => p.name).join('、')}`, step: null });
      t.mail('upward_due', who, entry);
      return t.done();
    }
    case 'upward_due': {
      const u = s.upward;
      if (!u || u.status !== 'pending' || u.overdue) return t.done();
      u.overdue = true;
      // The bureau's deadline passed and the report has not gone up: the principal hears it, like any deadline.
      const entry = t.record('upward_overdue', { step: null, note: upwardHolders(t).map((p) => p.name).join('、') });
      t.mail('upward_due', [...t.input.leadership, ...t.input.office, ...upwardHolders(t)], entry, { overdue: true });
      t.chat('overdue', entry);
      return t.done();
    }
    case 'upward_listen_end': {
      if (s.upward?.status === 'sent') s.upward.listenUntil = null;
      return t.done();
    }
    case 'publish_remind': {
      if (s.status !== 'approved') return t.done();
      s.publishReminderIndex = (s.publishReminderIndex ?? 0) + 1;
      const entry = t.record('reminded', { note: publishers(t).map((p) => p.name).join('、'), step: null });
      t.mail('publish_request', publishers(t), entry, { reason: 'reminder' });
      return t.done();
    }
    case 'expire': {
      if (s.status !== 'returned') return t.done();
      const reopenedFrom = s.upward?.reopenedFrom;
      if (reopenedFrom) {
        // Sent back by the bureau and never revised: the report stays what it was; it does not go up again.
        s.status = reopenedFrom;
        cancelUpward(s);
        const entry = t.record('expired', { step: null, note: 'upward' });
        t.mail('expired', [f.submitter, f.department.head], entry, { reason: 'upward' });
        return t.done();
      }
      s.status = 'expired';
      cancelUpward(s);
      const entry = t.record('expired', { step: null });
      t.mail('expired', [f.submitter, f.department.head], entry);
      return t.done();
    }
  }
}



/** Who can move a report that must still go up: the step's holders, the liaison of a returned one, else the office. */
function upwardHolders(t: Transition): Person[] {
  const s = t.state;
  if (s.status === 'in_review') return t.holders();
  if (s.status === 'returned') return [t.input.facts.submitter];
  return t.input.office;
}

function cancelUpward(s: ReportState): void {
  if (s.upward && (s.upward.status === 'pending' || s.upward.status === 'returned')) Object.assign(s.upward, { status: 'cancelled', reopenedFrom: null });
}

/** The mail went up: listened to for the bureau's answer from now on. */
/** The report's way up: by a rule (its input), or the office's 投稿 (kept in the state). */
function planOf(t: Transition): UpwardPlan | null {
  return t.input.upward ?? t.state.upward?.plan ?? null;
}

/** 投稿: the office or a leader sends an approved, published or archived report up, once. */
function sendUp(t: Transition, event: Extract<PersonEvent, { type: 'sendUp' }>): Decision {
  const s = t.state;
  if (!isOfficeOrLeader(t, event.actor)) return refuse(t, event, 'not_office');
  if (s.status !== 'approved' && s.status !== 'published' && s.status !== 'archived') return refuse(t, event, isFinal(s.status) ? 'closed' : 'not_approved');
  const u = s.upward;
  if (u && u.status !== 'cancelled') return refuse(t, event, 'already_up');
  s.upward = { status: 'pending', sends: u?.sends ?? 0, sentAt: null, listenUntil: null, reminderIndex: 0, overdue: false, reopenedFrom: null, plan: event.plan };
  t.record('upward_requested', { actor: event.actor, evidence: event.evidence, step: null, note: event.plan.bureau.name });
  t.effects.push({ type: 'send_upward' });
  return t.done();
}

function upwardSent(t: Transition, messageId: string): Decision {
  const u = t.state.upward;
  const plan = planOf(t);
  if (!u || !plan || u.status === 'sent' || u.status === 'cancelled') return t.done();
  u.status = 'sent';
  u.sends += 1;
  u.sentAt = t.now;
  u.listenUntil = new Date(Date.parse(t.now) + plan.listenMs).toISOString();
  const late = plan.dueAt !== null && t.now > plan.dueAt;
  // The Message-ID is the evidence (the read model keeps it), not the note: it carries the bureau's reply token, and
  // notes are shown on the report's pages.
  t.record('sent_upward', { step: null, actor: plan.bureau, evidence: { via: 'system', ref: messageId }, note: late ? 'late' : null });
  return t.done();
}

/**
 * The bureau answers (its reply or its baosong's card, checked at intake): 收到 and 录用 are recorded and told;
 * 退回 reopens the report to the liaison with the bureau's reason (a report that had ended returns there after
 * its next approval, which sends it up again); 催报 tells whoever can move it now.
 */
function bureauNotice(t: Transition, event: Extract<PersonEvent, { type: 'bureau' }>): Decision {
  const s = t.state;
  const plan = planOf(t);
  const u = s.upward;
  if (!plan || !u || !sameEmail(event.actor, plan.bureau)) return refuse(t, event, 'not_bureau');
  if (u.sends === 0 && u.status !== 'sent') return refuse(t, event, 'not_in_review');
  const f = t.input.facts;
  const actor = plan.bureau;
  const told = { notice: event.notice, name: actor.name };
  switch (event.notice) {
    case 'received':
      t.record('bureau_received', { actor, evidence: event.evidence, step: null });
      return t.done();
    case 'used': {
      const use = event.use;
      const where = use ? `${use.level} · ${use.outlet}${use.ref ? ` ${use.ref}` : ''}` : actor.name;
      const entry = t.record('bureau_used', { actor, evidence: event.evidence, step: null, note: where });
      t.mail('bureau_notice', [f.submitter, f.department.head, ...t.input.office], entry, { bureau: { ...told, use: where } });
      return t.done();
    }
    case 'chase': {
      const entry = t.record('bureau_chased', { actor, evidence: event.evidence, step: null, note: event.reason ?? null });
      t.mail('bureau_notice', [...t.input.office, ...(u.status === 'sent' ? [] : upwardHolders(t))], entry, { bureau: told, ...(event.reason ? { reason: event.reason } : {}) });
      return t.done();
    }
    case 'returned': {
      // A 退回 answering an earlier mail up (the token names its send) while the revision has gone up since: moot.
      if (event.round !== undefined && event.round < u.sends) return refuse(t, event, 'earlier_send');
      const reason = boundText(event.reason ?? '');
      const entry = t.record('bureau_returned', { actor, evidence: event.evidence, step: null, note: reason || null, noteRef: event.reasonRef ?? null });
      if (s.status === 'withdrawn' || s.status === 'expired') {
        // Nothing to revise any more: the office hears what the bureau said and decides (it can still 投稿 a new piece).
        t.mail('bureau_notice', t.input.office, entry, { bureau: told, ...(reason ? { reason } : {}) });
        return t.done();
      }
      u.status = 'returned';
      u.answerTo = event.evidence.ref;
      if (s.status === 'published' || s.status === 'archived' || s.status === 'approved') {
        // Back to the liaison with the bureau's reason; the revision is reviewed again from the office's step.
        u.reopenedFrom = s.status === 'approved' ? null : s.status;
        const office = s.chain.findIndex((step) => step.kind === 'office');
        s.returnedFromStep = office >= 0 ? office : 0;
        s.returnedCount += 1;
        s.status = 'returned';
        s.step = null;
        s.revision = null;
        t.effects.push({ type: 'plan_revision', from: t.now });
        t.mail('returned', [f.submitter], entry, { actor, reason: reason || '—' });
        return t.done();
      }
      // Still in the school's hands: the liaison and the reviewers hear why; it goes up again once approved.
      t.mail('bureau_notice', [f.submitter, ...(s.status === 'in_review' ? t.holders() : [])], entry, { bureau: told, ...(reason ? { reason } : {}) });
      return t.done();
    }
  }
}
