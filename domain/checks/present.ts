/**
 * Findings as people read them on a page or in a mail: errors first, where (标题 / 正文 / 第 2 张图片), the
 * words found with a little context either side, the message in the school's language. Pure.
 */
import type { CheckCode, Finding, LocalizedText } from './types.js';

/** A code's name in a count (the digest's 稿件体检 table), short. */
export const CHECK_LABELS: Record<CheckCode, LocalizedText> = {
  weekday_mismatch: { 'zh-CN': '日期与星期不符', en: 'Weekday does not match the date' },
  date_in_future: { 'zh-CN': '已发生的事写成将来的日期', en: 'Past event dated in the future' },
  id_number: { 'zh-CN': '含身份证号', en: 'ID card number' },
  phone_number: { 'zh-CN': '含手机号', en: 'Mobile number' },
  leader_title_mismatch: { 'zh-CN': '领导职务写错', en: 'Wrong title for a leader' },
  sensitive_word: { 'zh-CN': '违规宣传用语', en: 'Banned publicity wording' },
  title_too_long: { 'zh-CN': '标题过长', en: 'Title too long' },
  event_time_missing: { 'zh-CN': '缺时间', en: 'No time given' },
  event_place_missing: { 'zh-CN': '缺地点', en: 'No place given' },
  photo_caption_missing: { 'zh-CN': '图片缺说明', en: 'Photo without caption' },
  credit_missing: { 'zh-CN': '缺署名', en: 'No author or photo credit' },
};

/** The report's text the offsets of the findings point into. */
export interface CheckedText {
  title: string;
  body: string;
}

export interface FindingItem {
  code: string;
  error: boolean;
  message: string;
  /** Where: 标题 / 正文 / 第 2 张图片的说明. */
  where: string;
  /** A few characters either side of the words found, for the reader to find them; the words themselves are `excerpt`. */
  textBefore: string;
  excerpt: string;
  textAfter: string;
}

const CONTEXT = 12;

/** Findings ready for a template, errors first. */
export function findingItems(findings: readonly Finding[], report: CheckedText, locale: 'zh-CN' | 'en'): FindingItem[] {
  const text = (f: Finding) => (f.field === 'title' ? report.title : f.field === 'body' ? report.body : '');
  const where = (f: Finding) => {
    if (f.field === 'title') return locale === 'en' ? 'Title' : '标题';
    if (f.field === 'photo') return locale === 'en' ? `Photo ${(f.photo ?? 0) + 1}` : `第 ${(f.photo ?? 0) + 1} 张图片`;
    return locale === 'en' ? 'Text' : '正文';
  };
  return [...findings]
    .sort((a, b) => Number(b.severity === 'error') - Number(a.severity === 'error'))
    .map((f) => {
      const t = text(f);
      const shown = f.end > f.start && t !== '';
      return {
        code: f.code,
        error: f.severity === 'error',
        message: f.message[locale],
        where: where(f),
        textBefore: shown ? (f.start > CONTEXT ? '…' : '') + t.slice(Math.max(0, f.start - CONTEXT), f.start) : '',
        excerpt: f.excerpt,
        textAfter: shown ? t.slice(f.end, f.end + CONTEXT) + (f.end + CONTEXT < t.length ? '…' : '') : '',
      };
    });
}
