/**
 * 上报, the school's side of the answer: mail from the education bureau (config `upward.bureau`) about a report
 * sent up to it. It counts only when it is tied to that report by something the bureau could not forge: the reply
 * token of our upward mail (in its address or in the Message-ID it answers), or the card its own baosong signs
 * with the key the two share; plus the school's sender policy (DMARC) as for every action by mail. Then 收到,
 * 录用 (recorded in the report's uses, 考核), 退回 (the report reopens to the liaison) and 催报 reach the report.
 *
 * Nothing here ever answers the bureau: a mail it cannot place or read goes to the office's desk with the reason.
 * Two machines answering each other's automatic mail would loop.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { ReportUses } from '../db/uses.js';
import type { BureauNoticeAction } from '../domain/lifecycle.js';
import type { MailInput } from '../domain/mail/types.js';
import { localDateOf } from '../domain/time.js';
import { understandMail } from '../domain/mail/understand.js';
import { readBureauAnswer, type BureauAnswer } from '../domain/upward.js';
import { guessKind, type UseLine } from '../domain/uses.js';
import { verifyReplyToken } from '../mail/reply-token.js';
import { NOTICE_HEADER, readNoticeCard } from '../mail/upward-card.js';
import { keepText } from '../storage/texts.js';
import { bureauNoticeSignal } from '../workflows/report.js';
import { checkSender } from './authenticity.js';
import type { IntakeDeps } from './handle.js';
import type { Disposition, IncomingMessage } from './mailbox.js';
import type { QuarantineReasonCode } from '../db/quarantine-desk.js';

type Kept = Disposition & { code?: QuarantineReasonCode };
const keep = (reason: string, code: QuarantineReasonCode): Kept => ({ folder: 'quarantine', reason: reason.slice(0, 1000), code });

const NOTICE_WORDS: Record<BureauAnswer['notice'], string> = { received: '收到', used: '录用', returned: '退回', chase: '催报' };

/** True for the bureau's address and the other addresses its answers come from. */
export function fromBureau(config: Config, address: string): boolean {
  const b = config.upward?.bureau;
  if (!b) return false;
  const a = address.trim().toLowerCase();
  return b.email.toLowerCase() === a || b.aliases.some((x) => x.toLowerCase() === a);
}

/** `token`: the reply token found in the address the mail was sent to or in the Message-ID it answers. */
export async function bureauMail(deps: IntakeDeps, message: IncomingMessage, input: MailInput, token: string | null): Promise<Kept> {
  const { config } = deps;
  const up = config.upward!;
  const from = input.from!.address.trim().toLowerCase();
  const messageId = input.messageId ?? '';
  // The bureau's baosong signs a card; read it only when the school configured the key the two share.
  const key = up.sharedKeyEnv ? process.env[up.sharedKeyEnv] : undefined;
  const cardHeader = input.headers[NOTICE_HEADER.toLowerCase()];
  const card = key && cardHeader ? readNoticeCard(cardHeader, { key, messageId, from }) : null;
  // The token was minted for the bureau's main address; an answer from one of its other addresses carries the same.
  const claims = token ? verifyReplyToken(token, up.bureau.email, deps.secret) : null;

  let reportId: string;
  let method: string;
  if (claims?.ok) {
    reportId = claims.reportId;
    method = 'token';
  } else if (card?.ok) {
    reportId = card.card.ref;
    method = 'card';
  } else if (token || cardHeader) {
    const problem = claims && !claims.ok ? `reply token ${claims.reason}` : card && !card.ok ? `card: ${card.problem}` : 'card: no shared key configured';
    return keep(`教育局来信无法核实（${problem}），没有执行`, 'unverified');
  } else {
    return keep(`教育局来信，未关联到上报的报送：“${input.subject}”。请办公室查看`, 'refused');
  }
  if (card?.ok && card.card.ref !== reportId) return keep(`教育局来信的凭证属于 ${card.card.ref}，与回复的报送 ${reportId} 不符，没有执行`, 'unverified');
  const policy = config.mail.authentication;
  const checked = await checkSender(message.raw, from, { policy: policy.policy, trustedAuthservIds: policy.trustedAuthservIds, ...(deps.resolver ? { resolver: deps.resolver } : {}) });
  if (!checked.ok) return keep(`教育局来信没有通过发件人验证（${checked.problem}），没有执行`, 'unverified');
  if (policy.policy !== 'token') method = `${method}+${checked.method}`;

  // Automatic mail never acts (an out-of-office reply that begins "已收到您的来信" is no 收到): only the bureau's baosong
  // speaks automatically, and then through its signed card.
  if (!card?.ok) {
    const automatic = understandMail(input, { timeZone: config.school.timeZone });
    if (automatic.kind === 'ignored') return keep(`教育局的自动回复，不作为回复处理：${automatic.reason ?? ''}`, 'automatic');
  }
  const report = await deps.readModel.getReport(reportId);
  if (!report) return keep(`教育局来信所指的报送 ${reportId} 不存在`, 'refused');
  const answer: BureauAnswer | null = card?.ok ? fromCard(card.card, up.bureau.name) : readBureauAnswer(input.text ?? '', up.bureau.name);
  if (!answer) return keep(`教育局对 ${reportId} 的回复未能识别（不是“收到 / 录用 / 退回 / 催报”），请办公室查看：“${input.subject}”`, 'refused');

  const actor = { name: up.bureau.name, email: up.bureau.email.toLowerCase() };
  if (answer.notice === 'used' && answer.use) await recordUse(deps, reportId, answer.use, actor, input.receivedAt);
  const reason = answer.reason ? await keepText(config, answer.reason) : null;
  const action: BureauNoticeAction = {
    actor,
    evidence: { via: 'mail', ref: messageId || `bureau:${reportId}:${input.receivedAt.toISOString()}` },
    authenticity: { ok: true, method },
    // Which mail up a person's answer replies to (the send number is the token's round): a late 退回 of an earlier one
    // is moot. Not for a bureau's baosong: all its mails thread on the first one, and its card speaks for the report.
    ...(claims?.ok && !card?.ok ? { round: claims.round } : {}),
    notice: answer.notice,
    ...(reason ? { reason: reason.text, reasonRef: reason.ref } : {}),
    ...(answer.use ? { use: answer.use } : {}),
  };
  try {
    await deps.client.workflow.getHandle(report.workflowId).signal(bureauNoticeSignal, action);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    // The report no longer listens (its listening time is over): a 录用 is recorded all the same; anything else is the office's.
    if (answer.notice !== 'used') return keep(`报送 ${reportId} 已结束，教育局的回复（${NOTICE_WORDS[answer.notice]}）没有再处理，请办公室查看`, 'refused');
  }
  return { folder: 'processed' };
}

function fromCard(card: { kind: BureauAnswer['notice']; level?: UseLine['level'] | undefined; outlet?: string | undefined; url?: string | undefined; reason?: string | undefined }, bureauName: string): BureauAnswer {
  if (card.kind === 'used') {
    const outlet = card.outlet ?? bureauName;
    return { notice: 'used', use: { outlet, level: card.level ?? '县区级', kind: guessKind(outlet, card.url ?? ''), ref: card.url ?? '', usedOn: null } };
  }
  return { notice: card.kind, ...(card.reason ? { reason: card.reason } : {}) };
}

/** 录用 goes into the report's uses (考核) at once, idempotent by report, outlet and reference: a repeated notice adds nothing. */
async function recordUse(deps: IntakeDeps, reportId: string, use: UseLine, by: { name: string; email: string }, at: Date): Promise<void> {
  const usedOn = use.usedOn ?? localDateOf(at, deps.config.school.timeZone);
  await new ReportUses(deps.readModel.database).add({ reportId, outlet: use.outlet, level: use.level, kind: use.kind, usedOn, ref: use.ref, source: 'mail', recordedBy: by, recordedAt: at });
}
