/**
 * Small shared phrases for layouts and partials, per locale (the `t` helper). Kind-specific wording
 * lives in the per-locale templates themselves. Placeholders are {name}; values are escaped by `t`.
 */
import type { Locale } from './types.js';

const zh = {
  'app.name': '信息报送',
  greeting: '{name}老师，您好！',
  greetingUnknown: '老师，您好！',
  'footer.auto': '此邮件由{school}信息报送系统自动发送。',
  'footer.reply': '需要回复时，请直接回复本邮件，并保留主题中的报送编号；系统会自动识别。',
  'footer.replyAddress': '也可将邮件发送至 {address}。',
  'footer.help': '如有疑问，请联系{school}办公室。',
  'summary.heading': '报送信息',
  'field.id': '报送编号',
  'field.title': '标题',
  'field.department': '报送部门',
  'field.submitter': '报送人',
  'field.category': '类别',
  'field.urgency': '紧急程度',
  'field.eventTime': '事件时间',
  'field.receivedAt': '收到时间',
  'field.dueAt': '报送截止',
  'field.timeliness': '是否按时',
  'body.heading': '正文',
  'attachments.heading': '附件（{count} 个）',
  'attachments.none': '无附件',
  'attachments.attached': '随本邮件附上',
  'attachments.linked': '点击文件名下载（链接 7 天内有效）',
  'reply.heading': '如何审核',
  'reply.intro': '直接回复本邮件即可，无需登录：',
  'reply.approve': '第一行写“同意”，即审核通过；',
  'reply.sendBack': '写“退回：原因”（例如“退回：照片不够清晰”），即退回修改。',
  'reply.note': '回复时请保留主题中的报送编号。',
  'links.heading': '也可以点击下方链接处理：',
  'links.approve': '同意',
  'links.sendBack': '退回修改',
  'links.view': '查看详情',
  'links.edit': '在线修改',
  'links.publish': '确认已发布',
  'links.status': '查看报送进度：',
  'links.bearer': '请勿转发本邮件：上面的链接和回复地址相当于您本人的审核凭证，任何拿到它们的人都能以您的名义审核。',
  'links.viewOnly': '按学校设置，链接只能查看报送；审核请直接回复本邮件，或登录办公室后台处理。',
  'step.position': '第 {index}/{count} 步',
  'checks.heading': '稿件体检',
  'checks.receipt': '系统自动检查发现 {n} 处可能的问题，请核对：',
  'checks.fix': '怎样改正：直接回复本邮件，写明要改正的地方（审核人会看到您的留言）；报送被退回后，可用退回邮件中的链接在线修改，或回复退回邮件并附上改正后的全文。',
  'checks.review': '系统自动检查发现 {n} 处可能的问题，请审核时核对：',
  'checks.confirm': '标为“错误”的问题，请逐条核对：在审核页面同意前需勾选“看过，无误”；回复邮件同意的，请写“同意，看过无误”。需要改正的，请退回并写明原因。',
  'checks.error': '错误',
  'checks.warn': '提醒',
} as const;

export type PhraseKey = keyof typeof zh;

const en: Record<PhraseKey, string> = {
  'app.name': 'Information Reporting',
  greeting: 'Dear {name},',
  greetingUnknown: 'Hello,',
  'footer.auto': 'This message was sent automatically by the information reporting system of {school}.',
  'footer.reply': 'To answer, simply reply to this message and keep the report number in the subject; the system reads replies automatically.',
  'footer.replyAddress': 'You can also write to {address}.',
  'footer.help': 'Questions? Please contact the office of {school}.',
  'summary.heading': 'Report',
  'field.id': 'Report no.',
  'field.title': 'Title',
  'field.department': 'Department',
  'field.submitter': 'Submitted by',
  'field.category': 'Category',
  'field.urgency': 'Urgency',
  'field.eventTime': 'Event time',
  'field.receivedAt': 'Received',
  'field.dueAt': 'Due',
  'field.timeliness': 'Timeliness',
  'body.heading': 'Full text',
  'attachments.heading': 'Attachments ({count})',
  'attachments.none': 'No attachments',
  'attachments.attached': 'attached to this mail',
  'attachments.linked': 'click the name to download (link valid for 7 days)',
  'reply.heading': 'How to review',
  'reply.intro': 'Just reply to this message; no login needed:',
  'reply.approve': 'write “approve” on the first line to approve it;',
  'reply.sendBack': 'write “send back: reason” (e.g. “send back: the photo is blurred”) to return it for revision.',
  'reply.note': 'Please keep the report number in the subject when you reply.',
  'links.heading': 'Or use these links:',
  'links.approve': 'Approve',
  'links.sendBack': 'Send back',
  'links.view': 'View report',
  'links.edit': 'Edit online',
  'links.publish': 'Confirm it is published',
  'links.status': 'Track this report: ',
  'links.bearer': 'Do not forward this message: its links and reply address work like your own review credentials; anyone who has them can review as you.',
  'links.viewOnly': 'By the school’s setting these links only show the report; to decide, reply to this message or sign in to the office dashboard.',
  'step.position': 'step {index} of {count}',
  'checks.heading': 'Report checks',
  'checks.receipt': 'The automatic checks found {n} possible problems; please look at them:',
  'checks.fix': 'How to correct: reply to this message saying what to correct (the reviewer sees your comment); once the report is sent back, revise it online with the link in that mail, or reply to it with the corrected text.',
  'checks.review': 'The automatic checks found {n} possible problems; please look at them while reviewing:',
  'checks.confirm': 'Go through each problem marked “error”; approving on the review page asks you to tick “Checked, correct”, and a reply must say “同意，看过无误” (approve, checked, correct). If something must be corrected, send the report back with the reason.',
  'checks.error': 'Error',
  'checks.warn': 'Note',
};

export const PHRASES: Record<Locale, Record<PhraseKey, string>> = { 'zh-CN': zh, en };

export function isPhraseKey(key: unknown): key is PhraseKey {
  return typeof key === 'string' && Object.hasOwn(zh, key);
}

/** Labels for enumerations used in mails. */
export const LABELS = {
  timeliness: {
    on_time: { 'zh-CN': '按时', en: 'On time' },
    late: { 'zh-CN': '迟报', en: 'Late' },
  },
  step: {
    department_head: { 'zh-CN': '部门负责人审核', en: 'department head review' },
    office: { 'zh-CN': '办公室审核', en: 'office review' },
    leadership: { 'zh-CN': '校领导审核', en: 'school leadership review' },
  },
  action: {
    approve: { 'zh-CN': '审核通过（同意）', en: 'approve the report' },
    send_back: { 'zh-CN': '退回修改', en: 'send the report back for revision' },
    withdraw: { 'zh-CN': '撤回报送', en: 'withdraw the report' },
    revise: { 'zh-CN': '提交修改稿', en: 'submit a revision' },
    comment: { 'zh-CN': '发表意见（留言）', en: 'comment on the report' },
    reassign: { 'zh-CN': '改派审核人', en: 'reassign the review step' },
  },
} as const satisfies Record<string, Record<string, Record<Locale, string>>>;
