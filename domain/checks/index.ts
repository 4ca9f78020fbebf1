/**
 * 稿件体检: the mechanical 错报 a reviewer reading for content misses — a weekday that is not the date's, an
 * event told as past on a date still to come, a pupil's ID or mobile number, a leader with someone else's title,
 * claims the education authorities forbid — and the warnings of form (long title, no time or place, a photo
 * without a caption, a missing credit). Pure and deterministic: the receipt time and the school's facts are
 * arguments. Findings never block a report; they are shown to the liaison and the reviewer.
 */
import { formatLocalDate, toLocal } from '../time.js';
import { checkDates, hasTime } from './dates.js';
import { TitleChecker } from './people.js';
import { findIdNumbers, findMobileNumbers, maskNumber } from './personal.js';
import type { CheckCode, CheckFacts, CheckInput, Finding, FindingField, LocalizedText, Severity } from './types.js';
import { WordChecker } from './words.js';

export * from './types.js';
export { photoCaptionsFromText } from './captions.js';
export { confirmsChecks } from './confirm.js';
export { CHECK_LABELS, findingItems, type CheckedText, type FindingItem } from './present.js';

const SEVERITY: Record<CheckCode, Severity> = {
  weekday_mismatch: 'error',
  date_in_future: 'error',
  id_number: 'error',
  phone_number: 'error',
  leader_title_mismatch: 'error',
  sensitive_word: 'error',
  title_too_long: 'warn',
  event_time_missing: 'warn',
  event_place_missing: 'warn',
  photo_caption_missing: 'warn',
  credit_missing: 'warn',
};

/** A sentence that tells an event: 举行了, 顺利召开, 圆满落幕, 拉开帷幕 … */
const EVENT_RE = /(?:举行|举办|开展|召开|组织|进行)了|(?:顺利|圆满|隆重|成功)(?:举行|举办|召开|落幕|结束|完成|开展)|(?:落下|拉开)帷幕/;
/** Where: a 地点 label, a place word, or 在… ending in one (在学校仓库, 在区青少年宫). */
const PLACE_RE =
  /在[^，。；,;\n]{1,12}?(?:室|厅|场|馆|楼|库|院|宫|中心|社区|公园|基地|门口)|地点|礼堂|操场|会议室|报告厅|体育馆|图书馆|阅览室|实验室|多功能厅|录播室|教室|校园|校内|校区|运动场|田径场|食堂|宿舍|基地|纪念馆|博物馆|科技馆|展览馆|广场|社区|公园|剧院|线上|腾讯会议|钉钉|直播|演播厅|会场|楼|馆/;
const AUTHOR_RE = /(?:撰稿|供稿|作者|文字|撰文|通讯员|文)[ \t]*[:：/／|｜][ \t]*\S/;
const PHOTOGRAPHER_RE = /(?:摄影|拍摄|图片|摄|图)[ \t]*[:：/／|｜][ \t]*\S/;

/**
 * The checks for one school, compiled once (the patterns depend only on the configuration): call `check`
 * for each report.
 */
export class ReportChecks {
  private readonly titles: TitleChecker;
  private readonly words: WordChecker;
  private readonly off: ReadonlySet<CheckCode>;

  constructor(private readonly facts: CheckFacts) {
    this.titles = new TitleChecker(facts.people, facts.departments);
    this.words = new WordChecker(facts.settings.sensitiveWords, facts.settings.builtinSensitiveWords);
    this.off = new Set(facts.settings.disabled);
  }

  check(input: CheckInput): Finding[] {
    const findings: Finding[] = [];
    const add = (code: CheckCode, field: FindingField, start: number, end: number, excerpt: string, message: LocalizedText, photo?: number) => {
      if (this.off.has(code)) return;
      findings.push({ code, severity: SEVERITY[code], message, excerpt, start, end, field, ...(photo !== undefined ? { photo } : {}) });
    };
    const photos = input.photos ?? [];
    const texts: [FindingField, string, number?][] = [
      ['title', input.title],
      ['body', input.body],
      ...photos.map((p, i): [FindingField, string, number] => ['photo', p.caption ?? '', i]),
    ];
    const today = formatLocalDate(toLocal(input.receivedAt, this.facts.timeZone));
    for (const [field, text, photo] of texts) {
      if (text === '') continue;
      for (const p of checkDates(text, input.receivedAt, this.facts.timeZone)) add(p.code, field, p.start, p.end, text.slice(p.start, p.end), { 'zh-CN': p.zh, en: p.en }, photo);
      const ids = findIdNumbers(text, today);
      for (const s of ids) {
        add('id_number', field, s.start, s.end, maskNumber(s.text), {
          'zh-CN': '文中有一个居民身份证号码。学生和教职工的身份证号不能公开发布，请删去。',
          en: 'The text contains a resident ID number. Pupils’ and staff’s ID numbers must not be published: remove it.',
        }, photo);
      }
      for (const s of findMobileNumbers(text)) {
        if (ids.some((i) => s.start < i.end && s.end > i.start)) continue;
        add('phone_number', field, s.start, s.end, maskNumber(s.text.replace(/[^0-9+]/g, '')), {
          'zh-CN': '文中有一个手机号码，属于个人信息，不宜公开发布。请删去，或改用学校办公电话（座机）。',
          en: 'The text contains a mobile number, which is personal data. Remove it or give the school’s office (landline) number instead.',
        }, photo);
      }
      for (const t of this.titles.check(text)) {
        add('leader_title_mismatch', field, t.start, t.end, text.slice(t.start, t.end), {
          'zh-CN': `${t.name}的职务是“${t.own.join('、')}”，文中写作“${t.written}”。请核对姓名和职务。`,
          en: `${t.name}’s title is “${t.own.join('、')}”, but the text says “${t.written}”. Check the name and the title.`,
        }, photo);
      }
      for (const w of this.words.check(text)) {
        add('sensitive_word', field, w.start, w.end, w.text, w.builtin
          ? {
              'zh-CN': `“${w.text}”属于教育部门禁止在学校宣传中使用的提法（炒作“状元”、升学率和考试排名）。请删去或改写。`,
              en: `“${w.text}” is a claim education authorities forbid in school publicity (exam “top scorers”, pass rates, rankings). Remove or rephrase it.`,
            }
          : {
              'zh-CN': `“${w.text}”在学校的敏感词清单中。请删去或改写。`,
              en: `“${w.text}” is on the school’s list of words to avoid. Remove or rephrase it.`,
            }, photo);
      }
    }
    this.form(input, today, add);
    return findings;
  }

  private form(input: CheckInput, today: string, add: (code: CheckCode, field: FindingField, start: number, end: number, excerpt: string, message: LocalizedText, photo?: number) => void): void {
    const { titleMaxChars, requireCredit } = this.facts.settings;
    const titleLength = [...input.title].length;
    if (titleLength > titleMaxChars) {
      add('title_too_long', 'title', 0, input.title.length, input.title, {
        'zh-CN': `标题有 ${titleLength} 个字，超过学校规定的 ${titleMaxChars} 个字。请精简标题。`,
        en: `The title has ${titleLength} characters, more than the school’s ${titleMaxChars}. Shorten it.`,
      });
    }
    const event = EVENT_RE.exec(input.body);
    if (event) {
      const excerpt = input.body.slice(Math.max(0, event.index - 10), event.index + event[0].length);
      const at = Math.max(0, event.index - 10);
      if (!hasTime(input.title + '\n' + input.body, today)) {
        add('event_time_missing', 'body', at, event.index + event[0].length, excerpt, {
          'zh-CN': '这是一篇活动报道，但文中没有写活动的日期或时间。请补上“X月X日（星期X）上午”之类的时间。',
          en: 'This reports an event but gives no date or time. Add when it happened, e.g. 12月3日上午.',
        });
      }
      if (!PLACE_RE.test(input.title + '\n' + input.body)) {
        add('event_place_missing', 'body', at, event.index + event[0].length, excerpt, {
          'zh-CN': '这是一篇活动报道，但文中没有写活动地点。请补上在哪里举行（如学校报告厅、操场、线上）。',
          en: 'This reports an event but does not say where. Add the place (e.g. the lecture hall, the sports ground, online).',
        });
      }
    }
    const photos = input.photos ?? [];
    photos.forEach((p, i) => {
      if ((p.caption ?? '').trim() === '') {
        const name = p.name ?? `第 ${i + 1} 张`;
        add('photo_caption_missing', 'photo', 0, 0, name, {
          'zh-CN': `图片“${name}”没有图片说明。请写一句说明：谁、在什么活动中、做什么。`,
          en: `Photo “${name}” has no caption. Add one line: who, at what event, doing what.`,
        }, i);
      }
    });
    const tail = input.body;
    if (requireCredit.author && !AUTHOR_RE.test(tail)) {
      add('credit_missing', 'body', 0, 0, '', {
        'zh-CN': '学校要求署名，文中没有撰稿人。请在文末写上“撰稿：姓名”。',
        en: 'The school asks for a byline and none is given. End the text with 撰稿：<name>.',
      });
    }
    if (requireCredit.photographer && photos.length > 0 && !PHOTOGRAPHER_RE.test(tail) && !photos.some((p) => PHOTOGRAPHER_RE.test(p.caption ?? ''))) {
      add('credit_missing', 'body', 0, 0, '', {
        'zh-CN': '稿件附有图片，学校要求注明摄影者。请在文末写上“摄影：姓名”。',
        en: 'The report has photos and the school asks for the photographer. End the text with 摄影：<name>.',
      });
    }
  }
}

/** One report, checked once (for many reports of one school, keep a `ReportChecks`). */
export function checkReport(input: CheckInput, facts: CheckFacts): Finding[] {
  return new ReportChecks(facts).check(input);
}
