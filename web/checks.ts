/**
 * The 稿件体检 findings of a report as the status and reviewer pages show them: the current title and text
 * (a revision is checked as it now reads), the photos with the captions written in the text, the receipt time,
 * checked against the school's configuration as it is now (a check the office switched off disappears). Pure
 * computation on what the page already loaded; nothing is sent to the workflow.
 */
import { checkFacts } from '../config/school.js';
import type { Config } from '../config/schema.js';
import { photoCaptionsFromText, ReportChecks, type Finding } from '../domain/checks/index.js';
import type { Locale } from '../templates/types.js';

const compiled = new WeakMap<Config, ReportChecks>();

function checksFor(config: Config): ReportChecks {
  let c = compiled.get(config);
  if (!c) {
    c = new ReportChecks(checkFacts(config));
    compiled.set(config, c);
  }
  return c;
}

export interface ReportText {
  title: string;
  body: string;
  attachments: readonly { filename: string; contentType: string }[];
  receivedAt: string;
}

export function reportFindings(config: Config, report: ReportText): Finding[] {
  const pictures = report.attachments.filter((a) => a.contentType.startsWith('image/'));
  const photos = photoCaptionsFromText(report.body, pictures.map((a) => ({ name: a.filename })));
  return checksFor(config).check({ title: report.title, body: report.body, photos, receivedAt: new Date(report.receivedAt) });
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
export function findingItems(findings: readonly Finding[], report: ReportText, locale: Locale): FindingItem[] {
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
