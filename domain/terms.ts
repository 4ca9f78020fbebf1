/**
 * 学期 and 学年 by the names schools use: `2026-秋` (the autumn term of the 2026–2027 school year), `2027-春`,
 * `2026-2027` (the school year). Without the school's own dates (config `scoring.terms`), terms meet at
 * 15 February and 15 August, so every day belongs to one term and nothing falls between two summaries.
 */
import { addDays, type LocalDate } from './time.js';

export interface TermRange {
  name: string;
  /** First day (YYYY-MM-DD). */
  from: LocalDate;
  /** Last day, included. */
  to: LocalDate;
  /** 2026年秋季学期 / 2026—2027学年 (or the English). */
  label: { zh: string; en: string };
}

export class TermError extends Error {
  readonly code = 'ETERM' as const;
  constructor(message: string) {
    super(message);
    this.name = 'TermError';
  }
}

/** The term or school year called `name`, from the school's list if it is there. */
export function termRange(name: string, configured: readonly { name: string; from: LocalDate; to: LocalDate }[] = []): TermRange {
  const key = name.trim().replace(/[—–－]/g, '-').replace(/\s+/g, '');
  const own = configured.find((t) => t.name.replace(/[—–－]/g, '-').replace(/\s+/g, '') === key);
  const term = /^(\d{4})-?(秋|春|autumn|fall|spring)(?:季)?(?:学期)?$/i.exec(key);
  const year = /^(\d{4})-(\d{4})(?:学年)?$/.exec(key);
  let range: TermRange | undefined;
  if (term) {
    const y = Number(term[1]);
    const autumn = /秋|autumn|fall/i.test(term[2]!);
    range = autumn
      ? { name: `${y}-秋`, from: `${y}-08-15`, to: addDays(`${y + 1}-02-15`, -1), label: { zh: `${y}年秋季学期`, en: `autumn term ${y}` } }
      : { name: `${y}-春`, from: `${y}-02-15`, to: addDays(`${y}-08-15`, -1), label: { zh: `${y}年春季学期`, en: `spring term ${y}` } };
  } else if (year && Number(year[2]) === Number(year[1]) + 1) {
    const y = Number(year[1]);
    range = { name: `${y}-${y + 1}`, from: `${y}-08-15`, to: addDays(`${y + 1}-08-15`, -1), label: { zh: `${y}—${y + 1}学年`, en: `school year ${y}–${y + 1}` } };
  }
  if (own) return { name: own.name, from: own.from, to: own.to, label: range?.label ?? { zh: own.name, en: own.name } };
  if (!range) throw new TermError(`"${name}" is not a term: write 2026-秋, 2027-春 or 2026-2027 (or a name listed under scoring.terms).`);
  return range;
}

/** The name of the term a local date (YYYY-MM-DD) falls in, by the default boundaries (15 Feb, 15 Aug). */
export function termOf(date: LocalDate): string {
  const year = Number(date.slice(0, 4));
  const md = date.slice(5);
  if (md >= '08-15') return `${year}-秋`;
  if (md < '02-15') return `${year - 1}-秋`;
  return `${year}-春`;
}
