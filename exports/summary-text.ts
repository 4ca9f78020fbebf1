/**
 * A first draft of the term 工作总结's text in the office's voice, from the figures: what was sent, how much on
 * time, where it was used, who led, what to improve. The office rewrites it in Word; it only saves the typing
 * of the numbers. Numbers are Arabic digits; 篇 counts pieces, 篇次 counts uses.
 */
import { USE_LEVELS } from '../domain/scoring.js';
import type { TermSummary } from './book.js';

const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1000) / 10);
/** "1 report", "3 reports" (English only; Chinese counts need no plural). */
const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const list = (names: string[], en: boolean) => (en ? (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`) : names.join('、'));

export function draftParagraphs(s: Omit<TermSummary, 'paragraphs'>): string[] {
  const f = s.figures;
  const en = s.locale === 'en';
  const usedTotal = USE_LEVELS.reduce((n, l) => n + f.usesByLevel[l], 0);
  const above = f.usesByLevel['县区级'] + f.usesByLevel['市级'] + f.usesByLevel['省级'] + f.usesByLevel['国家级'];
  const levels = USE_LEVELS.filter((l) => l !== '校级' && f.usesByLevel[l] > 0)
    .reverse()
    .map((l) => (en ? `${f.usesByLevel[l]} at ${l}` : `${l}${f.usesByLevel[l]}篇次`));
  const leaders = s.departments.filter((d) => d.rank <= 2 && d.points > 0).map((d) => d.department);
  const lateDepts = s.perDepartment.filter((d) => d.late > 0).map((d) => d.department);
  const missingDepts = s.perDepartment.filter((d) => d.missing > 0).map((d) => d.department);
  const best = s.highlights[0];
  const out: string[] = [];
  if (en) {
    const were = (count: number) => (count === 1 ? 'was' : 'were');
    out.push(
      `In the ${s.periodLabel}, the departments sent ${n(f.submitted, 'report')}; ${f.onTime} arrived on time (${pct(f.onTime, f.submitted)}%), ${f.late} late, and ${n(f.missing, 'expected report')} never came. ${f.approved} ${were(f.approved)} approved and ${f.published} published on the school's channels.`,
    );
    out.push(
      usedTotal === 0
        ? 'No use by outside media or the education bureau was recorded this term.'
        : `${n(f.piecesUsed, 'piece')} ${were(f.piecesUsed)} used ${n(usedTotal, 'time')}, ${above} of them beyond the school${levels.length > 0 ? ` (${levels.join(', ')})` : ''}.${best ? ` The most valued was “${best.title}” by ${best.department}, used by ${best.best}.` : ''}`,
    );
    if (leaders.length > 0) out.push(`${list(leaders, true)} led the departments' ranking.`);
    const improve = [lateDepts.length > 0 ? `reports from ${list(lateDepts, true)} came late` : '', missingDepts.length > 0 ? `${list(missingDepts, true)} missed expected reports` : ''].filter(Boolean);
    out.push(improve.length > 0 ? `To improve: ${improve.join('; ')}. Next term we will remind liaisons earlier and follow up on events on the school calendar.` : 'Every department reported on time; next term we will keep this up and aim for more use at city and provincial level.');
    return out;
  }
  out.push(`本学期，我校各部门共报送信息${f.submitted}篇，其中按时报送${f.onTime}篇，按时率${pct(f.onTime, f.submitted)}%；迟报${f.late}篇，漏报${f.missing}篇。经审核通过${f.approved}篇，在学校网站、公众号等渠道发布${f.published}篇。`);
  out.push(
    usedTotal === 0
      ? '本学期尚未登记被上级部门或媒体录用的稿件。'
      : `全学期共有${f.piecesUsed}篇稿件被录用${usedTotal}篇次，其中校外录用${above}篇次${levels.length > 0 ? `（${levels.join('，')}）` : ''}。${best ? `${best.department}报送的《${best.title}》被${best.best}录用，是本学期录用层级最高的稿件之一。` : ''}`,
  );
  if (leaders.length > 0) out.push(`从考核量分看，${list(leaders, false)}得分位居前列，信息报送及时、质量较高。`);
  const improve = [lateDepts.length > 0 ? `${list(lateDepts, false)}存在迟报` : '', missingDepts.length > 0 ? `${list(missingDepts, false)}存在漏报` : ''].filter(Boolean);
  out.push(improve.length > 0 ? `存在的问题：${improve.join('，')}。下学期将提前提醒各部门信息联络员，对照学校行事历跟进重要活动的报送，进一步提高报送的及时性和稿件质量。` : '各部门均能按时报送。下学期将继续保持，力争在市级、省级媒体有更多录用。');
  return out;
}
