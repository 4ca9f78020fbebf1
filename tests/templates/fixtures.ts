/** Realistic data for mail-template tests: a fictional school and report R-2026-0042. */
import type { MailData, MailKind, ReportSummary } from '../../templates/render.js';

export const TZ = 'Asia/Shanghai';

export const REPORT: ReportSummary = {
  id: 'R-2026-0042',
  title: '七年级家长会顺利召开',
  body: [
    '11月26日下午，我校七年级家长会在学校报告厅召开，全年级家长共420余人参加。',
    '',
    '会上，年级组长何静老师介绍了本学期教学进度和期中考试情况；心理教师围绕“青春期亲子沟通”作了专题讲座。',
    '会后，各班主任与家长进行了面对面交流。',
  ].join('\n'),
  departmentName: '教务处',
  submitterName: '刘芳',
  submitterEmail: 'liufang@school.test',
  category: '家校共育',
  urgency: 'routine',
  eventTime: '2026-11-26T15:00:00+08:00',
  receivedAt: '2026-11-26T17:20:00+08:00',
  dueAt: '2026-11-27T15:00:00+08:00',
  timeliness: 'on_time',
  reviewDueAt: '2026-11-27T17:20:00+08:00',
  attachments: [
    { filename: '家长会现场1.jpg', contentType: 'image/jpeg', size: 2_457_600 },
    { filename: '家长会签到表.pdf', contentType: 'application/pdf', size: 356_000 },
  ],
  statusUrl: 'https://baosong.school.test/r/R-2026-0042/status?sig=abc123',
};

const BASE: MailData = {
  schoolName: '青禾市第一实验中学',
  recipientName: '刘芳',
  report: REPORT,
};

const SIGNED = {
  approve: 'https://baosong.school.test/review/R-2026-0042/approve?step=1&sig=8f2c1e',
  sendBack: 'https://baosong.school.test/review/R-2026-0042/send-back?step=1&sig=8f2c1e',
  view: 'https://baosong.school.test/review/R-2026-0042?sig=8f2c1e',
};

const STEP1 = { index: 1, count: 2, kind: 'department_head' as const, label: '部门负责人审核' };

/** Full data per kind (every optional field the kind uses is given). */
export const SAMPLES: Record<MailKind, MailData> = {
  receipt: { ...BASE },
  review_request: { ...BASE, recipientName: '王建国', step: STEP1, deadline: REPORT.reviewDueAt, links: SIGNED },
  reminder: { ...BASE, recipientName: '王建国', step: STEP1, deadline: REPORT.reviewDueAt, sentAt: '2026-11-27T15:20:00+08:00', links: SIGNED },
  escalation: {
    ...BASE,
    recipientName: '周晓梅',
    step: STEP1,
    holderName: '王建国',
    deadline: REPORT.reviewDueAt,
    sentAt: '2026-11-27T17:35:00+08:00',
    links: { view: SIGNED.view },
  },
  returned: {
    ...BASE,
    step: STEP1,
    actorName: '王建国',
    reason: '照片不够清晰，请换一张现场全景照片；\n第二段请补充讲座主讲人的姓名。',
    revisionDueAt: '2026-11-30T17:30:00+08:00',
    links: { edit: 'https://baosong.school.test/r/R-2026-0042/edit?sig=77aa01' },
  },
  revision_received: { ...BASE, step: STEP1 },
  approved: { ...BASE, actorName: '周晓梅' },
  publish_request: {
    ...BASE,
    recipientName: '谢雨桐',
    report: {
      ...REPORT,
      attachments: [
        { filename: '家长会现场1.jpg', contentType: 'image/jpeg', size: 2_457_600, url: 'https://baosong.school.test/files/tok1/家长会现场1.jpg', attached: true },
        { filename: '家长会签到表.pdf', contentType: 'application/pdf', size: 356_000, url: 'https://baosong.school.test/files/tok2/家长会签到表.pdf', attached: false },
      ],
    },
    approvals: [
      { kind: 'department_head', name: '王建国', at: '2026-11-26T18:02:00+08:00' },
      { kind: 'office', name: '周晓梅', at: '2026-11-27T09:15:00+08:00' },
    ],
  },
  published: { ...BASE, publishedUrl: 'https://www.qhsyz.test/news/2026/1127-jiazhanghui.html' },
  withdrawn: { ...BASE, recipientName: '王建国', actorName: '刘芳', reason: '家长会内容将并入下周的年级工作简报，本条先撤回。' },
  reassigned: { ...BASE, recipientName: '王建国', actorName: '周晓梅', reason: '赵丽华', step: { index: 1, count: 3, kind: 'department_head' } },
  co_decided: { ...BASE, recipientName: '谢雨桐', actorName: '周晓梅', reason: 'approved', step: { index: 2, count: 2, kind: 'office' } },
  upward_due: { ...BASE, recipientName: '周晓梅', sentAt: '2026-11-27T15:30:00+08:00', upward: { bureauName: '青禾县教育局', dueAt: '2026-11-27T16:00:00+08:00', overdue: false } },
  bureau_notice: { ...BASE, upward: { bureauName: '青禾县教育局', notice: 'used', use: '县区级 · 青禾教育网 https://jyj.qinghe.test/news/1' } },
  expired: { ...BASE, revisionDueAt: '2026-11-30T17:30:00+08:00' },
  refused: {
    ...BASE,
    recipientName: '王建国',
    step: STEP1,
    actorName: '陈思远',
    actorAddress: 'chensiyuan@school.test',
    attemptedAction: 'approve',
    reason: '发件人不是本环节的审核人（当前审核人：王建国）。',
    links: SIGNED,
  },
};
