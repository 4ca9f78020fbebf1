/**
 * Personal data that must not be published: a resident ID number (GB 11643-1999: 6-digit region, birth date,
 * 3-digit sequence, ISO 7064 MOD 11-2 check character) and a mainland mobile number. An 18-digit order number
 * fails the birth date or the check character; a landline (0571-8888xxxx) starts with its area code.
 */
import { formatLocalDate, parseLocalDate, type LocalDate } from '../time.js';

const ID_RE = /(?<![0-9A-Za-z０-９])[1-8][0-9]{5}(?:18|19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx](?![0-9A-Za-z０-９])/g;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character GB 11643 gives the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? '';
}

/** Whether an 18-character string is a resident ID number: a real birth date not after `today`, and its check character. */
export function isIdNumber(text: string, today: LocalDate): boolean {
  if (!/^[1-8][0-9]{16}[0-9Xx]$/.test(text)) return false;
  const [year, month, day] = [Number(text.slice(6, 10)), Number(text.slice(10, 12)), Number(text.slice(12, 14))];
  try {
    const birth = formatLocalDate({ year, month, day });
    parseLocalDate(birth);
    if (birth > today || year < 1900) return false;
  } catch {
    return false;
  }
  return idCheckCharacter(text.slice(0, 17)) === text[17]?.toUpperCase();
}

/**
 * A mainland mobile number: 1[3-9] and nine more digits, also written 138-0013-8000, 138 0013 8000 or with +86.
 * Not when it is part of a longer run of digits (an order number, an ID number).
 */
const MOBILE_RE = /(?<![0-9A-Za-z０-９\-－])(?:(?:\+|＋)?86[ \-－]?)?1[3-9][0-9](?:[ \-－]?[0-9]{4}){2}(?![0-9A-Za-z０-９]|[-－][0-9])/g;

export interface Span {
  start: number;
  end: number;
  text: string;
}

export function findIdNumbers(text: string, today: LocalDate): Span[] {
  return [...text.matchAll(ID_RE)].filter((m) => isIdNumber(m[0], today)).map((m) => ({ start: m.index, end: m.index + m[0].length, text: m[0] }));
}

export function findMobileNumbers(text: string): Span[] {
  return [...text.matchAll(MOBILE_RE)].map((m) => ({ start: m.index, end: m.index + m[0].length, text: m[0] }));
}

/** What an excerpt shows of a personal number: enough to find it, not enough to use it. */
export function maskNumber(text: string): string {
  const digits = text.length;
  if (digits <= 7) return text;
  const keepHead = digits >= 18 ? 6 : 3;
  return text.slice(0, keepHead) + '*'.repeat(digits - keepHead - 4) + text.slice(-4);
}
