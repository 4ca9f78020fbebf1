// A hand-made autumn term (2026-秋) for the 考核 tests: 40 reports in 6 departments, 25 uses (录用) at 4
// levels, 3 late, 2 missing, 1 瞒报, scored with the county sheet of config/example.yaml (COUNTY_SHEET):
// not used 1 (简讯) / 2 (详讯); 县区级 网站 3/6, 简报 5/10, other kinds 5/10; 市级 20; 省级 40; 校级 scores
// nothing (a piece used only at school counts as sent, not used); 迟报 −1, 漏报 −2, 瞒报 −5.
//
// dept   report  size  uses (level kind → points)                               points
// 教务处 J1 详    县网 6, 县简报 10, 市简报 20 → best 20 (3 uses)                  20
//        J2 简    县网 3                                                          3
//        J3 详    省网 40 (sent back once)                                        40
//        J4 简    —                                                               1
//        J5 简    — (by 孙老师 from here on)                                      1
//        J6 详    学校公众号 校级 → not scored                                    2
//        J7 简    县简报 5                                                        5
//        J8 详    — ; 迟报 −1                                                     2 − 1
//                                                                         教务处 = 73  (刘芳 64, 孙老师 9)
// 德育处 D1 详    市网 20, 县网 6 → 20                                            20
//        D2 简    县网 3                                                          3
//        D3 简    县电视台 县区级 电视 → the level's rule 5                        5
//        D4 详    —                                                               2
//        D5 简    学校公众号 校级                                                 1
//        D6 详→简 (office: 简讯, 600 chars; sent back once) 县简报 5              5
//        D7 —     in review, late: not a piece; 迟报 −1                          −1
//        D8 —     withdrawn: nothing                                              0
//        漏报 (国庆升旗仪式) −2                                                  −2
//                                                                         德育处 = 33
// 总务处 Z1 简 县网 3; Z2 简 —1; Z3 简 —1; Z4 详 县网 6 + 县简报 10 → 10; Z5 简 — 1, 迟报 −1; Z6 简 —1; 漏报 −2
//                                                                         总务处 = 14
// 安全办 A1 A3–A6 简 — 1 each; A2 简 县网 3; 瞒报 (实验室小火情) −5            安全办 = 3
// 团委   T1 详 省报 40, 市日报 20, 县网 6 → 40 (3 uses); T2 简 市网 20; T3 简 县网 3 + 公众号 → 3;
//        T4 简 — 1; T5 详 县简报 10; T6 in review: nothing                      团委 = 74
// 科学组 K1 简 县网 3; K2 详 — 2; K3–K6 简 — 1 each                             科学组 = 9
//
// Ranking: 团委 74, 教务处 73, 德育处 33, 总务处 14, 科学组 9, 安全办 3.
// Uses by level: 校级 3, 县区级 16, 市级 4, 省级 2 (25). Pieces (approved): 37; used (scored): 16.
// Outside the term, to be left out: R-2026-0900 (received 10 August, used by 市网) and a missing report due 12 August.
import type { ReadModel, ReportRecord } from '../../db/index.js';
import { ReportUses } from '../../db/uses.js';
import type { UseLevel } from '../../domain/scoring.js';

export const DEPARTMENTS = [
  { id: 'jiaowu', name: '教务处' },
  { id: 'deyu', name: '德育处' },
  { id: 'zongwu', name: '总务处' },
  { id: 'anquan', name: '安全办' },
  { id: 'tuanwei', name: '团委' },
  { id: 'kexue', name: '科学组' },
];

const OFFICE = { name: '李干事', email: 'li@school.example' };
type U = [outlet: string, level: UseLevel, kind: string];
const 县网: U = ['县教育网', '县区级', '网站'];
const 县简报: U = ['县教育简报', '县区级', '简报'];
const 市网: U = ['市教育网', '市级', '网站'];
const 公众号: U = ['学校公众号', '校级', '公众号'];

interface Row {
  key: string;
  dept: string;
  author: string;
  chars: number;
  uses: U[];
  status?: 'in_review' | 'withdrawn' | 'approved';
  late?: boolean;
  returned?: boolean;
  size?: '简讯';
}
const S = 120; // 简讯
const L = 800; // 详讯
const ROWS: Row[] = [
  { key: 'J1', dept: 'jiaowu', author: '刘芳', chars: L, uses: [县网, 县简报, ['市教育简报', '市级', '简报']] },
  { key: 'J2', dept: 'jiaowu', author: '刘芳', chars: S, uses: [县网] },
  { key: 'J3', dept: 'jiaowu', author: '刘芳', chars: L, uses: [['省教育厅网站', '省级', '网站']], returned: true },
  { key: 'J4', dept: 'jiaowu', author: '刘芳', chars: S, uses: [] },
  { key: 'J5', dept: 'jiaowu', author: '孙老师', chars: S, uses: [] },
  { key: 'J6', dept: 'jiaowu', author: '孙老师', chars: L, uses: [公众号] },
  { key: 'J7', dept: 'jiaowu', author: '孙老师', chars: S, uses: [县简报] },
  { key: 'J8', dept: 'jiaowu', author: '孙老师', chars: L, uses: [], late: true },
  { key: 'D1', dept: 'deyu', author: '赵敏', chars: L, uses: [市网, 县网] },
  { key: 'D2', dept: 'deyu', author: '赵敏', chars: S, uses: [县网] },
  { key: 'D3', dept: 'deyu', author: '赵敏', chars: S, uses: [['县电视台', '县区级', '电视']] },
  { key: 'D4', dept: 'deyu', author: '赵敏', chars: L, uses: [] },
  { key: 'D5', dept: 'deyu', author: '赵敏', chars: S, uses: [公众号] },
  { key: 'D6', dept: 'deyu', author: '赵敏', chars: 600, uses: [县简报], size: '简讯', returned: true },
  { key: 'D7', dept: 'deyu', author: '赵敏', chars: S, uses: [], status: 'in_review', late: true },
  { key: 'D8', dept: 'deyu', author: '赵敏', chars: S, uses: [], status: 'withdrawn' },
  { key: 'Z1', dept: 'zongwu', author: '钱强', chars: S, uses: [县网] },
  { key: 'Z2', dept: 'zongwu', author: '钱强', chars: S, uses: [] },
  { key: 'Z3', dept: 'zongwu', author: '钱强', chars: S, uses: [] },
  { key: 'Z4', dept: 'zongwu', author: '钱强', chars: L, uses: [县网, 县简报] },
  { key: 'Z5', dept: 'zongwu', author: '钱强', chars: S, uses: [], late: true },
  { key: 'Z6', dept: 'zongwu', author: '钱强', chars: S, uses: [] },
  { key: 'A1', dept: 'anquan', author: '冯磊', chars: S, uses: [], status: 'approved' },
  { key: 'A2', dept: 'anquan', author: '冯磊', chars: S, uses: [县网], status: 'approved' },
  { key: 'A3', dept: 'anquan', author: '冯磊', chars: S, uses: [], status: 'approved' },
  { key: 'A4', dept: 'anquan', author: '冯磊', chars: S, uses: [], status: 'approved' },
  { key: 'A5', dept: 'anquan', author: '冯磊', chars: S, uses: [], status: 'approved' },
  { key: 'A6', dept: 'anquan', author: '冯磊', chars: S, uses: [], status: 'approved' },
  { key: 'T1', dept: 'tuanwei', author: '吴婷', chars: L, uses: [['省教育报', '省级', '报刊'], ['市日报', '市级', '报刊'], 县网] },
  { key: 'T2', dept: 'tuanwei', author: '吴婷', chars: S, uses: [市网] },
  { key: 'T3', dept: 'tuanwei', author: '吴婷', chars: S, uses: [县网, 公众号] },
  { key: 'T4', dept: 'tuanwei', author: '吴婷', chars: S, uses: [] },
  { key: 'T5', dept: 'tuanwei', author: '吴婷', chars: L, uses: [县简报] },
  { key: 'T6', dept: 'tuanwei', author: '吴婷', chars: S, uses: [], status: 'in_review' },
  { key: 'K1', dept: 'kexue', author: '郑老师', chars: S, uses: [县网] },
  { key: 'K2', dept: 'kexue', author: '郑老师', chars: L, uses: [] },
  { key: 'K3', dept: 'kexue', author: '郑老师', chars: S, uses: [] },
  { key: 'K4', dept: 'kexue', author: '郑老师', chars: S, uses: [] },
  { key: 'K5', dept: 'kexue', author: '郑老师', chars: S, uses: [] },
  { key: 'K6', dept: 'kexue', author: '郑老师', chars: S, uses: [] },
];

/** R-2026-0001 … R-2026-0040 in table order. */
export const ID: Record<string, string> = Object.fromEntries(ROWS.map((r, i) => [r.key, `R-2026-${String(i + 1).padStart(4, '0')}`]));
export const TITLE = (key: string) => `${key} 的稿件`;

/** Shanghai wall-clock → ISO. Reports arrive one working day apart from 1 September. */
const sh = (local: string) => `${local.replace(' ', 'T')}:00+08:00`;
function day(i: number): string {
  const d = new Date(Date.UTC(2026, 8, 1 + Math.floor((i * 7) / 3)));
  return d.toISOString().slice(0, 10);
}

function record(row: Row, i: number, received: string): ReportRecord {
  const status = row.status ?? 'published';
  const decided = status === 'published' || status === 'approved';
  return {
    id: ID[row.key]!,
    workflowId: `report-${ID[row.key]}`,
    origin: 'mail',
    originRef: `<${row.key}@mail.school.example>`,
    departmentId: row.dept,
    submitterEmail: `${row.dept}@school.example`,
    submitterName: row.author,
    category: '教育教学',
    urgency: 'routine',
    title: TITLE(row.key),
    eventTime: sh(`${received} 09:00`),
    receivedAt: sh(`${received} 10:00`),
    dueAt: sh(`${received} 18:00`),
    timeliness: row.late ? 'late' : 'on_time',
    reviewDueAt: null,
    status,
    currentStep: status === 'in_review' ? 0 : null,
    currentStepKind: status === 'in_review' ? 'department_head' : null,
    holders: [],
    overdue: false,
    returnedCount: row.returned ? 1 : 0,
    decidedAt: decided ? sh(`${received} 15:00`) : null,
    publishedAt: status === 'published' ? sh(`${received} 16:00`) : null,
    updatedAt: sh(`${received} 16:00`),
    version: 3 + i,
  };
}

export async function seedTerm(readModel: ReadModel): Promise<void> {
  const uses = new ReportUses(readModel.database);
  const at = new Date('2026-12-01T08:00:00Z');
  for (const [i, row] of ROWS.entries()) {
    const received = day(i);
    const r = record(row, i, received);
    await readModel.recordReport(r);
    if (r.publishedAt) await readModel.recordPublished({ reportId: r.id, publishedAt: r.publishedAt, title: r.title, departmentId: r.departmentId, category: r.category, summary: '', url: `https://www.school.example/news/${r.id}` });
    await uses.recordChars(r.id, row.chars, at);
    if (row.size) await uses.setSize(r.id, row.size, OFFICE.email, at);
    for (const [n, [outlet, level, kind]] of row.uses.entries()) {
      await uses.add({ reportId: r.id, outlet, level, kind, usedOn: received.replace(/-\d\d$/, `-${String(10 + n).padStart(2, '0')}`), ref: `https://news.example/${row.key}/${n}`, source: 'office', recordedBy: OFFICE, recordedAt: at });
    }
  }
  // Outside the term: a report received on 10 August, used by the city website, and a missing report due 12 August.
  await readModel.recordReport({ ...record({ key: 'X1', dept: 'tuanwei', author: '吴婷', chars: L, uses: [] }, 50, '2026-08-10'), id: 'R-2026-0900', workflowId: 'report-R-2026-0900' });
  await uses.add({ reportId: 'R-2026-0900', outlet: '市教育网', level: '市级', kind: '网站', usedOn: '2026-08-20', ref: 'https://news.example/X1', source: 'office', recordedBy: OFFICE, recordedAt: at });
  const missing = [
    { id: 'E1', dept: 'deyu', title: '国庆升旗仪式', due: '2026-10-08 18:00' },
    { id: 'E2', dept: 'zongwu', title: '秋季开学安全检查', due: '2026-09-03 18:00' },
    { id: 'E3', dept: 'tuanwei', title: '暑期社会实践', due: '2026-08-12 18:00' },
  ];
  for (const m of missing) {
    await readModel.recordExpected({ id: m.id, departmentId: m.dept, title: m.title, eventEnd: sh(m.due), urgency: 'major', dueAt: sh(m.due), source: 'cli', createdAt: sh('2026-08-01 09:00') });
    await readModel.markExpected(m.id, 'missing', null, sh(m.due));
  }
  await uses.addConcealed({ departmentId: 'anquan', incident: '实验室小火情未报送', occurredOn: '2026-11-12', recordedBy: OFFICE, recordedAt: at });
}
