/**
 * Findings as people read them on a page or in a mail: errors first, where (标题 / 正文 / 第 2 张图片), the
 * words found with a little context either side, the message in the school's language. Pure.
 */
import type { Finding } from './types.js';

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
