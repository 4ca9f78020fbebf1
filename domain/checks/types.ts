/**
 * 稿件体检: what a check finds in a report, and the few facts of the school it needs. Plain data, so the
 * findings can be stored, printed by `baosong inspect` and shown on pages and in mail.
 */

/** Stable codes: scripts, the digest and the configuration (`checks.disabled`) name findings by them. */
export const CHECK_CODES = [
  'weekday_mismatch',
  'date_in_future',
  'id_number',
  'phone_number',
  'leader_title_mismatch',
  'sensitive_word',
  'title_too_long',
  'event_time_missing',
  'event_place_missing',
  'photo_caption_missing',
  'credit_missing',
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

/** `error`: very likely 错报, the reviewer confirms before approving. `warn`: worth a look. Neither blocks a report. */
export type Severity = 'error' | 'warn';

export interface LocalizedText {
  'zh-CN': string;
  en: string;
}

/** Where in the report a finding is: the title, the body, or the caption of photo number `photo` (0-based). */
export type FindingField = 'title' | 'body' | 'photo';

export interface Finding {
  code: CheckCode;
  severity: Severity;
  /** What is wrong and how to fix it, for the liaison and the reviewer. */
  message: LocalizedText;
  /** The words found (an ID or mobile number masked: the excerpt is stored and mailed). */
  excerpt: string;
  /** UTF-16 offsets of the words in `field` (start inclusive, end exclusive); 0, 0 for what is missing. */
  start: number;
  end: number;
  field: FindingField;
  /** The photo's index, for field 'photo'. */
  photo?: number;
}

export interface CheckPhoto {
  /** The file's name, to say which photo lacks a caption. */
  name: string | null;
  /** The 图片说明, or null / '' when none was given. */
  caption: string | null;
}

export interface CheckInput {
  title: string;
  body: string;
  photos?: readonly CheckPhoto[];
  /** When the report was received: the reference for dates without a year and for "in the future". */
  receivedAt: Date;
}

/** A person of the configuration whose title may be written next to their name. */
export interface CheckPerson {
  name: string;
  /** Their titles as configured ("副校长（分管宣传、行政）" is fine: brackets are dropped), at least one. */
  titles: readonly string[];
  /** Names of the departments they head or belong to (教务处), possibly none (leadership). */
  departments: readonly string[];
}

export interface CheckSettings {
  /** Codes switched off by the office. */
  disabled: readonly CheckCode[];
  /** The school's own phrases that must not appear (`checks.sensitiveWords`). */
  sensitiveWords: readonly string[];
  /** The built-in list of claims education authorities forbid in school publicity (状元, 升学率排名…). */
  builtinSensitiveWords: boolean;
  /** A longer title is a warning. */
  titleMaxChars: number;
  /** The school asks for an author (撰稿) and, when there are photos, a photographer (摄影) credit. */
  requireCredit: { author: boolean; photographer: boolean };
}

export interface CheckFacts {
  /** The school's zone: dates in the text are its local dates. */
  timeZone: string;
  people: readonly CheckPerson[];
  /** Every department's name (教务处, 德育处 …), to tell a title of another department. */
  departments: readonly string[];
  settings: CheckSettings;
}

export const DEFAULT_CHECK_SETTINGS: CheckSettings = {
  disabled: [],
  sensitiveWords: [],
  builtinSensitiveWords: true,
  titleMaxChars: 30,
  requireCredit: { author: false, photographer: false },
};
