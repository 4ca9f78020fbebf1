// A small hand-made school week for the digest tests: three departments (and a fourth that never
// reports), twelve reports over 2026-W47 and 2026-W48, expected reports, publications and review
// requests. Every figure the tests expect is worked out by hand in figures.test.ts from this table.
//
// Times are Shanghai wall-clock (UTC+8). 2026-W48 = Mon 23 Nov 00:00 … Mon 30 Nov 00:00.
//
// id           dept    received          timeliness status     returned decided           published         category
// R-2026-0001  jiaowu  W47 Tue 17 09:00  on_time    published  0        17 Nov 10:00 (60) 18 Nov 09:00      教育教学
// R-2026-0002  jiaowu  W47 Wed 18 09:00  on_time    published  0        23 Nov 10:00      23 Nov 11:00      教育教学
// R-2026-0003  deyu    W47 Thu 19 09:00  late       in_review  2        —                 —                 校园文化
// R-2026-0101  jiaowu  W48 Mon 23 10:00  on_time    published  0        23 Nov 12:00      24 Nov 09:00      教育教学
// R-2026-0102  jiaowu  W48 Tue 24 09:00  late       approved   1        24 Nov 10:30      —                 教育教学
// R-2026-0103  jiaowu  W48 Wed 25 14:00  on_time    in_review  0        —                 —                 校园文化
// R-2026-0104  jiaowu  W48 Mon 23 00:00  on_time    in_review  0        —                 —                 师生成长
// R-2026-0201  deyu    W48 Mon 23 15:00  late       published  0        23 Nov 15:30      23 Nov 16:00      校园文化
// R-2026-0202  deyu    W48 Thu 26 08:00  on_time    returned   1        —                 —                 安全管理
// R-2026-0203  deyu    W48 Fri 27 09:00  late       withdrawn  0        —                 —                 家校共育
// R-2026-0204  deyu    W49 Mon 30 00:00  on_time    received   0        —                 —                 其他
// R-2026-0301  zongwu  W48 Sat 28 10:00  on_time    approved   0        29 Nov 10:00      —                 安全管理
import type { ExpectedReportRecord, ReadModel, ReportRecord } from '../../db/index.js';

export const TIME_ZONE = 'Asia/Shanghai';
export const BASE_URL = 'https://baosong.school.example';
/** When the digest is computed in the tests: Monday 30 November, 09:00 Shanghai. */
export const NOW = new Date('2026-11-30T09:00:00+08:00');

export const DEPARTMENTS = [
  { id: 'jiaowu', name: '教务处' },
  { id: 'deyu', name: '德育处' },
  { id: 'zongwu', name: '总务处' },
  { id: 'tiyu', name: '体育组' },
];

/** "2026-11-23 10:00" (Shanghai) → ISO with offset. */
export const sh = (local: string): string => `${local.replace(' ', 'T')}:00+08:00`;

const HEAD = { jiaowu: { name: '张主任', email: 'zhang@school.example' }, deyu: { name: '刘主任', email: 'liu@school.example' } };
const OFFICE = { name: '李干事', email: 'li@school.example' };

function report(id: string, departmentId: string, received: string, overrides: Partial<ReportRecord>): ReportRecord {
  return {
    id,
    workflowId: `report-${id}`,
    origin: 'mail',
    originRef: `<${id}@mail.school.example>`,
    departmentId,
    submitterEmail: `${departmentId}@school.example`,
    submitterName: '联络员',
    category: '教育教学',
    urgency: 'routine',
    title: `${id} 的报送`,
    eventTime: sh(received),
    receivedAt: sh(received),
    dueAt: sh(received),
    timeliness: 'on_time',
    reviewDueAt: null,
    status: 'received',
    currentStep: null,
    currentStepKind: null,
    holders: [],
    overdue: false,
    returnedCount: 0,
    decidedAt: null,
    publishedAt: null,
    updatedAt: sh(received),
    version: 1,
    ...overrides,
  };
}

export const REPORTS: ReportRecord[] = [
  report('R-2026-0001', 'jiaowu', '2026-11-17 09:00', { status: 'published', decidedAt: sh('2026-11-17 10:00'), publishedAt: sh('2026-11-18 09:00'), title: '初三期中教学质量分析会' }),
  report('R-2026-0002', 'jiaowu', '2026-11-18 09:00', { status: 'published', decidedAt: sh('2026-11-23 10:00'), publishedAt: sh('2026-11-23 11:00'), title: '青年教师汇报课' }),
  report('R-2026-0003', 'deyu', '2026-11-19 09:00', {
    timeliness: 'late',
    status: 'in_review',
    returnedCount: 2,
    category: '校园文化',
    title: '“红领巾”主题队日活动',
    currentStep: 0,
    currentStepKind: 'department_head',
    holders: [HEAD.deyu],
    reviewDueAt: sh('2026-11-21 10:00'),
    updatedAt: sh('2026-11-20 10:00'),
  }),
  report('R-2026-0101', 'jiaowu', '2026-11-23 10:00', { status: 'published', decidedAt: sh('2026-11-23 12:00'), publishedAt: sh('2026-11-24 09:00'), title: '数学组公开课' }),
  report('R-2026-0102', 'jiaowu', '2026-11-24 09:00', { timeliness: 'late', status: 'approved', returnedCount: 1, decidedAt: sh('2026-11-24 10:30'), title: '期中考试安排' }),
  report('R-2026-0103', 'jiaowu', '2026-11-25 14:00', {
    status: 'in_review',
    category: '校园文化',
    title: '读书节启动仪式',
    currentStep: 1,
    currentStepKind: 'office',
    holders: [OFFICE],
    reviewDueAt: sh('2026-11-30 14:00'),
    updatedAt: sh('2026-11-25 15:00'),
  }),
  report('R-2026-0104', 'jiaowu', '2026-11-23 00:00', {
    status: 'in_review',
    category: '师生成长',
    title: '学生科技创新大赛获奖<喜报>',
    currentStep: 0,
    currentStepKind: 'department_head',
    holders: [HEAD.jiaowu],
    overdue: true,
    reviewDueAt: sh('2026-11-24 00:00'),
  }),
  report('R-2026-0201', 'deyu', '2026-11-23 15:00', { timeliness: 'late', status: 'published', category: '校园文化', decidedAt: sh('2026-11-23 15:30'), publishedAt: sh('2026-11-23 16:00'), title: '升旗仪式' }),
  report('R-2026-0202', 'deyu', '2026-11-26 08:00', { status: 'returned', returnedCount: 1, category: '安全管理', title: '消防演练' }),
  report('R-2026-0203', 'deyu', '2026-11-27 09:00', { timeliness: 'late', status: 'withdrawn', category: '家校共育', title: '家长会' }),
  report('R-2026-0204', 'deyu', '2026-11-30 00:00', { category: '其他', title: '下周的报送' }),
  report('R-2026-0301', 'zongwu', '2026-11-28 10:00', { status: 'approved', category: '安全管理', decidedAt: sh('2026-11-29 10:00'), title: '校舍安全检查' }),
];

export const PUBLISHED = [
  { reportId: 'R-2026-0001', publishedAt: sh('2026-11-18 09:00'), title: '初三期中教学质量分析会', departmentId: 'jiaowu', category: '教育教学', summary: '分析会', url: 'https://www.school.example/news/1' },
  { reportId: 'R-2026-0002', publishedAt: sh('2026-11-23 11:00'), title: '青年教师汇报课', departmentId: 'jiaowu', category: '教育教学', summary: '汇报课', url: 'https://www.school.example/news/2' },
  { reportId: 'R-2026-0101', publishedAt: sh('2026-11-24 09:00'), title: '数学组公开课', departmentId: 'jiaowu', category: '教育教学', summary: '公开课', url: 'https://www.school.example/news/3?a=1&b=2' },
  { reportId: 'R-2026-0201', publishedAt: sh('2026-11-23 16:00'), title: '升旗仪式', departmentId: 'deyu', category: '校园文化', summary: '升旗', url: null },
];

function expected(id: string, departmentId: string, due: string, overrides: Partial<ExpectedReportRecord> = {}): ExpectedReportRecord {
  return { id, departmentId, title: `${id} 预期报送`, eventEnd: sh(due), urgency: 'major', dueAt: sh(due), source: 'cli', createdAt: sh('2026-11-01 09:00'), ...overrides };
}

// E1 zongwu missing, due W48 Wed 25 18:00     → counts in W48
// E2 zongwu missing, due W47 Fri 20 18:00     → counts in W47
// E3 zongwu waiting, due W48 Thu 26           → not missing
// E4 zongwu late (linked to R-2026-0301), W48 → arrived late: not missing
// E5 deyu   missing, due W48 Sun 29 23:59     → counts in W48 (last minute of the week)
// E6 deyu   missing, due W49 Mon 30 00:00     → W49, not W48
export const EXPECTED: { record: ExpectedReportRecord; mark?: { status: 'missing' | 'late'; reportId?: string } }[] = [
  { record: expected('E1', 'zongwu', '2026-11-25 18:00'), mark: { status: 'missing' } },
  { record: expected('E2', 'zongwu', '2026-11-20 18:00'), mark: { status: 'missing' } },
  { record: expected('E3', 'zongwu', '2026-11-26 10:00') },
  { record: expected('E4', 'zongwu', '2026-11-27 10:00'), mark: { status: 'late', reportId: 'R-2026-0301' } },
  { record: expected('E5', 'deyu', '2026-11-29 23:59'), mark: { status: 'missing' } },
  { record: expected('E6', 'deyu', '2026-11-30 00:00'), mark: { status: 'missing' } },
];

export async function seed(readModel: ReadModel): Promise<void> {
  for (const r of REPORTS) await readModel.recordReport(r);
  for (const p of PUBLISHED) await readModel.recordPublished(p);
  for (const { record, mark } of EXPECTED) {
    await readModel.recordExpected(record);
    if (mark) await readModel.markExpected(record.id, mark.status, mark.reportId ?? null, record.dueAt);
  }
  // Review requests: the latest one is when a pending report started waiting.
  await readModel.appendEvent({ reportId: 'R-2026-0003', seq: 1, at: sh('2026-11-19 09:05'), type: 'review_requested' });
  await readModel.appendEvent({ reportId: 'R-2026-0003', seq: 5, at: sh('2026-11-20 10:00'), type: 'review_requested' });
  await readModel.appendEvent({ reportId: 'R-2026-0103', seq: 1, at: sh('2026-11-25 14:01'), type: 'review_requested' });
  await readModel.appendEvent({ reportId: 'R-2026-0103', seq: 2, at: sh('2026-11-25 15:00'), type: 'review_requested' });
}
