/**
 * 上报: which reports go up to the education bureau and by when, and what a bureau's answer says. Pure:
 * the deadline is counted by the same rules as the school's own (hours from the event, or working days on the
 * school's calendar), before the workflow starts.
 */
import { computeDeadline, type DeadlineContext } from './deadline.js';
import type { CategoryLabel, Urgency } from './report.js';
import type { Person } from './review.js';
import { parseUseLine, type UseLine } from './uses.js';

export interface UpwardRule {
  category?: readonly string[] | undefined;
  urgency?: readonly Urgency[] | undefined;
  parallel: boolean;
  withinHours?: number | undefined;
  withinWorkingDays?: number | undefined;
}

/** What the workflow knows of a report's way up, decided at intake (ReportInput.upward). */
export interface UpwardPlan {
  bureau: Person;
  /** Sent as the report arrives, while the school's review runs; else after the last approval. */
  parallel: boolean;
  /** The bureau's deadline (ISO), null when the rule sets none. */
  dueAt: string | null;
  /** When to remind the holders that the bureau's deadline is near (ISO, before dueAt). */
  reminders: string[];
  /** How long after sending the report listens for the bureau (ms). */
  listenMs: number;
}

/** The first rule that covers a report, or null: the report stays in the school. */
export function upwardRuleFor<R extends UpwardRule>(rules: readonly R[], category: CategoryLabel, urgency: Urgency): R | null {
  return rules.find((r) => (!r.category || r.category.includes(category)) && (!r.urgency || r.urgency.includes(urgency))) ?? null;
}

/**
 * The bureau's deadline for a report under `rule`, counted from the event like the school's own, and one
 * reminder halfway there when that is still ahead of `now` (an incident within an hour: at half an hour).
 */
export function planUpward(rule: UpwardRule, o: { bureau: Person; eventTime: Date; now: Date; listenDays: number; ctx: DeadlineContext }): UpwardPlan {
  let due: Date | null = null;
  if (rule.withinHours !== undefined) due = computeDeadline(o.eventTime, 'urgent', { ...o.ctx, rules: { ...o.ctx.rules, urgentHours: rule.withinHours } }).dueAt;
  else if (rule.withinWorkingDays !== undefined) due = computeDeadline(o.eventTime, 'routine', { ...o.ctx, rules: { ...o.ctx.rules, routineWorkingDays: rule.withinWorkingDays } }).dueAt;
  const reminders: string[] = [];
  if (due && due > o.now) {
    const half = new Date(o.now.getTime() + (due.getTime() - o.now.getTime()) / 2);
    if (due.getTime() - half.getTime() >= 10 * 60_000) reminders.push(half.toISOString());
  }
  return { bureau: o.bureau, parallel: rule.parallel, dueAt: due ? due.toISOString() : null, reminders, listenMs: o.listenDays * 86_400_000 };
}

/** What a bureau says about a report sent up to it. */
export type BureauNoticeKind = 'received' | 'used' | 'returned' | 'chase';

export interface BureauAnswer {
  notice: BureauNoticeKind;
  /** returned: the bureau's reason; chase: what it asks. */
  reason?: string;
  /** used: where (the outlet named, else the bureau's own channel at 县区级). */
  use?: UseLine;
}

const RETURNED_RE = /^(?:予以)?(?:退回|退稿|不予采用|请修改后(?:重新)?(?:报送|上报))\s*[:：,，]?\s*(.*)$/s;
const USED_RE = /^(?:已?被?录用|已?采用|拟采用)\s*[:：,，]?\s*(.*)$/s;
const RECEIVED_RE = /^(?:已?收到|收悉|已收|已接收)/;
const CHASE_RE = /^(?:催报|请尽快(?:报送|上报)|尚未收到)/;

/**
 * A bureau's plain answer, as a person writes it on the first line: 收到 / 录用：县教育网 … / 退回：原因 / 催报 ….
 * `bureauName` names the outlet when a 录用 names none (the bureau's own channel, 县区级). Null: not understood
 * (the office reads it).
 */
export function readBureauAnswer(text: string, bureauName: string): BureauAnswer | null {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('>'));
  const first = lines[0] ?? '';
  const rest = lines.slice(1).join('\n');
  const returned = RETURNED_RE.exec(first);
  if (returned) {
    const reason = [returned[1] ?? '', rest].filter((x) => x.trim() !== '').join('\n').trim();
    return { notice: 'returned', reason: reason.slice(0, 2000) };
  }
  const used = USED_RE.exec(first);
  if (used) {
    // Bounded like the signed card's fields: nothing a sender writes grows without bound.
    const read = parseUseLine((used[1] ?? '').slice(0, 700));
    const named = read ? { ...read, outlet: read.outlet.slice(0, 100), ref: read.ref.slice(0, 500) } : null;
    return { notice: 'used', use: named ?? { outlet: bureauName, level: '县区级', kind: '网站', ref: '', usedOn: null } };
  }
  if (CHASE_RE.test(first)) return { notice: 'chase', reason: [first, rest].join('\n').trim().slice(0, 1000) };
  if (RECEIVED_RE.test(first)) return { notice: 'received' };
  return null;
}
