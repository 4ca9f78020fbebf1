/**
 * The words of baosong's chat messages: short, in the school's language, with a link to the page where
 * people act (mail stays the way to act). One function per event.
 */
import type { ReportChatRequest } from '../domain/chat.js';
import { URGENCY_LABELS } from '../domain/report.js';
import type { Person, ReviewStepKind } from '../domain/review.js';
import { toLocal } from '../domain/time.js';
import type { ChatMessage } from './robot.js';

export interface MessageContext {
  locale: 'zh-CN' | 'en';
  timeZone: string;
  /** Mobile numbers by lower-case e-mail address (people's optional `mobile` in the configuration). */
  mobiles: ReadonlyMap<string, string>;
}

const STEP: Record<ReviewStepKind, { zh: string; en: string }> = {
  department_head: { zh: '部门负责人审核', en: 'department head review' },
  office: { zh: '办公室审核', en: 'office review' },
  leadership: { zh: '领导小组审核', en: 'leadership review' },
};

const pad = (n: number) => String(n).padStart(2, '0');

/** "11-27 21:00" in the school's zone. */
export function shortTime(iso: string, timeZone: string): string {
  const l = toLocal(new Date(iso), timeZone);
  return `${pad(l.month)}-${pad(l.day)} ${pad(l.hour)}:${pad(l.minute)}`;
}

const names = (people: Person[], zh: boolean) => people.map((p) => p.name).join(zh ? '、' : ', ');

function mentions(people: Person[], ctx: MessageContext): string[] {
  return people.map((p) => ctx.mobiles.get(p.email.toLowerCase())).filter((m): m is string => m !== undefined);
}

export function reportChatMessage(req: ReportChatRequest, statusUrl: string, ctx: MessageContext): ChatMessage {
  const zh = ctx.locale !== 'en';
  const r = req.report;
  const tag = zh ? `【${URGENCY_LABELS[r.urgency].zh}】` : `[${URGENCY_LABELS[r.urgency].en}] `;
  const when = (iso: string) => shortTime(iso, ctx.timeZone);
  const step = req.step ? `${zh ? STEP[req.step.kind].zh : STEP[req.step.kind].en} ${req.step.index + 1}/${req.step.count}` : '';
  const holders = names(req.holders, zh);
  const link = { label: zh ? '查看报送状态' : 'See the report', url: statusUrl };
  const who = zh ? `${r.departmentName} · ${r.submitter.name}` : `${r.departmentName} · ${r.submitter.name}`;
  switch (req.event) {
    case 'new_report':
      return {
        title: zh ? `${tag}新报送 ${req.reportId}：${r.title}` : `${tag}New report ${req.reportId}: ${r.title}`,
        lines: zh
          ? [`报送：${who}（${r.category}）`, `事件时间：${when(r.eventTime)}，应于 ${when(r.dueAt)} 前报出${r.timeliness === 'late' ? '（已迟报）' : ''}`, `待审核：${holders}（${step}），审核截止 ${when(req.reviewDueAt)}`]
          : [`From: ${who} (${r.category})`, `Event: ${when(r.eventTime)}, due by ${when(r.dueAt)}${r.timeliness === 'late' ? ' (late)' : ''}`, `Waiting for: ${holders} (${step}), review due ${when(req.reviewDueAt)}`],
        link,
      };
    case 'review_waiting':
      return {
        title: zh ? `${tag}待审核 ${req.reportId}：${r.title}` : `${tag}Review waiting ${req.reportId}: ${r.title}`,
        lines: zh ? [`${step}：${holders}`, `审核截止：${when(req.reviewDueAt)}`, `报送：${who}`] : [`${step}: ${holders}`, `Review due: ${when(req.reviewDueAt)}`, `From: ${who}`],
        link,
        mentionMobiles: mentions(req.holders, ctx),
      };
    case 'overdue':
      return {
        title: zh ? `${tag}审核已超时 ${req.reportId}：${r.title}` : `${tag}Review overdue ${req.reportId}: ${r.title}`,
        lines: zh
          ? [`${step} 超时未处理，审核人：${holders}`, `审核截止：${when(req.reviewDueAt)}，已通知上一级催办`, `报送：${who}`]
          : [`${step} not decided in time; held by ${holders}`, `Review was due ${when(req.reviewDueAt)}; escalated`, `From: ${who}`],
        link,
        mentionMobiles: mentions(req.holders, ctx),
      };
  }
}

export interface ExpectedChatFacts {
  departmentName: string;
  title: string;
  dueAt: string;
  head: Person;
}

export function missingChatMessage(e: ExpectedChatFacts, dashboardUrl: string, ctx: MessageContext): ChatMessage {
  const zh = ctx.locale !== 'en';
  return {
    title: zh ? `【漏报】${e.departmentName}：${e.title}` : `[Missing] ${e.departmentName}: ${e.title}`,
    lines: zh
      ? [`应于 ${shortTime(e.dueAt, ctx.timeZone)} 前报送，至今未收到`, `部门负责人：${e.head.name}`]
      : [`Was due by ${shortTime(e.dueAt, ctx.timeZone)}; nothing came`, `Department head: ${e.head.name}`],
    link: { label: zh ? '打开报送台账' : 'Open the dashboard', url: dashboardUrl },
    mentionMobiles: mentions([e.head], ctx),
  };
}

export interface DigestHeadline {
  week: string;
  monday: string;
  sunday: string;
  submitted: number;
  onTime: number;
  late: number;
  missing: number;
  published: number;
  pending: number;
  overdue: number;
}

export function digestChatMessage(d: DigestHeadline, dashboardUrl: string, ctx: Pick<MessageContext, 'locale'>): ChatMessage {
  const zh = ctx.locale !== 'en';
  return {
    title: zh ? `本周信息报送周报（${d.monday} 至 ${d.sunday}）` : `Weekly report digest (${d.monday} to ${d.sunday})`,
    lines: zh
      ? [`报送 ${d.submitted} 条，按时 ${d.onTime}，迟报 ${d.late}，漏报 ${d.missing}`, `发布 ${d.published} 条；审核中 ${d.pending} 条，其中超时 ${d.overdue} 条`, '详细周报已发送至邮箱']
      : [`${d.submitted} submitted: ${d.onTime} on time, ${d.late} late, ${d.missing} missing`, `${d.published} published; ${d.pending} in review, ${d.overdue} overdue`, 'The full digest is in your mailbox'],
    link: { label: zh ? '打开报送台账' : 'Open the dashboard', url: dashboardUrl },
  };
}
