/**
 * 信息录用情况登记表 and 宣传考核量分表 as a Word document the office can edit before sending it up: the register
 * on landscape pages (it is wide), the scoring sheet and the people's points on portrait pages.
 */
import { Document, Packer } from 'docx';
import type { ScoringBook } from './book.js';
import { body, chineseDay, fontsFor, heading, section, SIZE, table, TEXT_WIDTH, title } from './docx-common.js';
import { registerColumns, sheetColumns } from './scoring-xlsx.js';

export async function scoringDocument(book: ScoringBook): Promise<Buffer> {
  const en = book.locale === 'en';
  const f = fontsFor(book.locale);
  const reg = registerColumns(book.locale);
  const sheet = sheetColumns(book.locale);
  const registerRows = book.uses.map((u, i) => [i + 1, u.reportId, u.title, u.department, u.author, u.size, u.outlet, u.level, u.kind, u.usedOn, u.where, u.counted ? (en ? 'yes' : '是') : '']);
  const sheetRows = book.departments.map((d) => [d.rank, d.department, d.pieces, d.used, d.late, d.missing, d.concealed, d.points, d.lines.map((l) => `${l.points > 0 ? '+' : ''}${l.points} ${l.reason}`).join('\n')]);
  const doc = new Document({
    creator: book.school,
    title: en ? `${book.school} uses and scoring, ${book.periodLabel}` : `${book.school}${book.periodLabel}信息录用与考核量分`,
    sections: [
      section(
        f,
        [
          title(f, en ? `${book.school}: register of uses, ${book.periodLabel}` : `${book.school}信息录用情况登记表`),
          body(f, en ? `Period: ${book.from} to ${book.to}. ${book.uses.length} uses; the one that counts for each piece is marked.` : `统计期间：${book.periodLabel}（${chineseDay(book.from)}至${chineseDay(book.to)}），共录用${book.uses.length}篇次；每篇按最高一次计分，计分的一次标“是”。`, { indent: false }),
          // Narrower than the workbook's: a landscape A4 page holds one line per use in 小五.
          table(f, reg.map((c) => c.header), registerRows, [3.5, 11.5, 17, 7, 6, 5.5, 14, 6.5, 6, 11.5, 24, 4.5], TEXT_WIDTH.landscape, SIZE.小五),
        ],
        true,
      ),
      // Landscape too: the counts get columns wide enough for their two-character headers, the reasons room.
      section(
        f,
        [
          title(f, en ? `${book.school}: scoring sheet, ${book.periodLabel}` : `${book.school}宣传考核量分表`),
          body(f, en ? `Period: ${book.from} to ${book.to}.` : `统计期间：${book.periodLabel}（${chineseDay(book.from)}至${chineseDay(book.to)}）`, { indent: false }),
          table(f, sheet.map((c) => c.header), sheetRows, [4, 8, 5, 5, 4, 4, 4, 5, 55], TEXT_WIDTH.landscape, SIZE.小五),
          heading(f, en ? 'Points per person' : '个人得分'),
          table(f, en ? ['Rank', 'Author', 'Department', 'Points'] : ['名次', '作者', '部门', '得分'], book.people.map((p) => [p.rank, p.author, p.department, p.points]), [1, 2, 2, 1], TEXT_WIDTH.landscape),
        ],
        true,
      ),
    ],
  });
  return Packer.toBuffer(doc);
}
