/**
 * Category and urgency of a report: first from explicit tags (【紧急】, [重大], 【教育教学】,
 * #安全管理, a form line "类别：安全管理"), then from keyword hints in the subject and text, else
 * the defaults 其他 / routine, each flagged so the office can triage.
 */
import { CATEGORIES, findCategory, type CategoryLabel, type Urgency } from '../report.js';

export type HintSource = 'tag' | 'keyword' | 'default';

/** Tag words for urgency (lower case for the English ones). */
const URGENCY_WORDS: Record<Urgency, readonly string[]> = {
  urgent: ['紧急', '緊急', '特急', '加急', '急', '急件', '紧急信息', 'urgent'],
  major: ['重大', '重大活动', '重要', 'major'],
  routine: ['常规', '一般', '常规信息', '常规工作', '常规工作信息', 'routine'],
};

/** Short tag words that name a category besides its label ("【安全】" → 安全管理). */
const CATEGORY_SYNONYMS: Record<string, CategoryLabel> = {
  教学: '教育教学',
  教研: '教育教学',
  教育: '教育教学',
  文化: '校园文化',
  校园活动: '校园文化',
  成长: '师生成长',
  师生: '师生成长',
  教师成长: '师生成长',
  学生成长: '师生成长',
  安全: '安全管理',
  家校: '家校共育',
  家校合作: '家校共育',
  政策: '政策传达',
  传达: '政策传达',
  其它: '其他',
  // Traditional-script labels (Big5 mail from Hong Kong / Taiwan partners).
  教育教學: '教育教学',
  校園文化: '校园文化',
  師生成長: '师生成长',
  政策傳達: '政策传达',
};

export function urgencyFromWord(word: string): Urgency | undefined {
  const w = word.trim().toLowerCase();
  for (const u of ['urgent', 'major', 'routine'] as const) {
    if (URGENCY_WORDS[u].includes(w)) return u;
  }
  return undefined;
}

export function categoryFromWord(word: string): CategoryLabel | undefined {
  const w = word.trim();
  return findCategory(w)?.zh ?? CATEGORY_SYNONYMS[w];
}

export interface TagReading {
  category?: CategoryLabel;
  urgency?: Urgency;
  /** The text with every recognised tag removed; unknown bracketed text (【初二年级】) stays. */
  text: string;
}

const BRACKET_TAG_RE = /[【[［〔]([^【】[\]［］〔〕\n]{1,24})[】\]］〕]/g;
const HASH_TAG_RE = /[#＃]([^\s#＃，,。；;：:、！!？?【】[\]［］()（）]{1,12})[#＃]?/g;
const TAG_SEPARATORS = /[·・/／、,，|｜+＋\s\-－]+/;

/** Reads one tag's content ("紧急·安全管理"); undefined when any piece is not a known tag word. */
function readTagContent(content: string): { category?: CategoryLabel; urgency?: Urgency } | undefined {
  const pieces = content.split(TAG_SEPARATORS).filter((p) => p !== '');
  if (pieces.length === 0) return undefined;
  const out: { category?: CategoryLabel; urgency?: Urgency } = {};
  for (const piece of pieces) {
    const urgency = urgencyFromWord(piece);
    const category = categoryFromWord(piece);
    if (urgency) out.urgency ??= urgency;
    else if (category) out.category ??= category;
    else return undefined;
  }
  return out;
}

/** Explicit tags in a subject or a line of text: 【紧急】, [重大], ［教育教学］, 〔安全〕, #安全管理, #家校共育#. */
export function readTags(text: string): TagReading {
  const found: { category?: CategoryLabel; urgency?: Urgency } = {};
  const replaceTag = (whole: string, content: string): string => {
    const read = readTagContent(content);
    if (!read) return whole;
    found.category ??= read.category;
    found.urgency ??= read.urgency;
    return ' ';
  };
  const rest = text.replace(BRACKET_TAG_RE, replaceTag).replace(HASH_TAG_RE, replaceTag);
  const out: TagReading = { text: rest };
  if (found.category) out.category = found.category;
  if (found.urgency) out.urgency = found.urgency;
  return out;
}

/** The text without its recognised tags. */
export function stripTags(text: string): { text: string } {
  return { text: readTags(text).text };
}

const CATEGORY_FIELD_RE = /^\s*(?:信息)?(?:类别|分类|类型|栏目|category)\s*[:：]\s*(\S{1,12})/im;
const URGENCY_FIELD_RE = /^\s*(?:紧急程度|缓急程度|缓急|时效(?:类型)?|级别|信息级别|urgency)\s*[:：]\s*(\S{1,12})/im;

/** Form-style lines in the text: "类别：安全管理", "紧急程度：紧急". */
export function readFieldTags(text: string): { category?: CategoryLabel; urgency?: Urgency } {
  const out: { category?: CategoryLabel; urgency?: Urgency } = {};
  const c = CATEGORY_FIELD_RE.exec(text);
  const category = c ? categoryFromWord((c[1] ?? '').replace(/[。.;；,，]+$/, '')) : undefined;
  if (category) out.category = category;
  const u = URGENCY_FIELD_RE.exec(text);
  const urgency = u ? urgencyFromWord((u[1] ?? '').replace(/[。.;；,，]+$/, '')) : undefined;
  if (urgency) out.urgency = urgency;
  return out;
}

/** Keywords that hint at a category. A keyword in the subject counts three times. */
export const CATEGORY_KEYWORDS: Record<Exclude<CategoryLabel, '其他'>, readonly string[]> = {
  安全管理: ['消防', '演练', '安全', '隐患', '疏散', '防溺水', '应急', '防汛', '地震', '食品卫生', '交通安全', '排查', '受伤', '摔伤', '事故', '火情', '溺水', '食物中毒', '走失'],
  家校共育: ['家长会', '家访', '家委会', '家长学校', '家校', '家长开放日', '致家长'],
  教育教学: ['公开课', '教研', '听课', '评课', '备课', '课堂', '教学', '集体备课', '课题', '质量检测', '期中考试', '期末考试'],
  政策传达: ['文件', '通知精神', '会议精神', '传达', '学习贯彻', '政策', '上级部门'],
  校园文化: ['运动会', '艺术节', '读书节', '科技节', '文艺汇演', '升旗', '社团', '合唱', '校园文化', '主题班会'],
  师生成长: ['获奖', '荣获', '一等奖', '二等奖', '三等奖', '竞赛', '比赛', '表彰', '培训', '成长', '优秀教师'],
};

/** Words that contain a keyword without meaning it ("教学楼" is a building, not teaching). */
const KEYWORD_MASKS = ['教学楼', '文件夹'] as const;

function mask(text: string): string {
  let out = text;
  for (const m of KEYWORD_MASKS) out = out.split(m).join(' ');
  return out;
}

function countOccurrences(text: string, word: string): number {
  let n = 0;
  for (let i = text.indexOf(word); i !== -1; i = text.indexOf(word, i + word.length)) n++;
  return n;
}

export interface CategoryGuess {
  category: CategoryLabel;
  /** Two or more categories scored the same; the first in the seed's order was taken. */
  ambiguous: boolean;
}

/** Guesses a category from keywords; undefined when no keyword occurs at all. */
export function guessCategory(subjectText: string, bodyText: string): CategoryGuess | undefined {
  const subject = mask(subjectText);
  const text = mask(bodyText);
  const scores = new Map<CategoryLabel, number>();
  for (const [category, words] of Object.entries(CATEGORY_KEYWORDS) as [CategoryLabel, readonly string[]][]) {
    let score = 0;
    for (const w of words) score += 3 * countOccurrences(subject, w) + countOccurrences(text, w);
    if (score > 0) scores.set(category, score);
  }
  if (scores.size === 0) return undefined;
  const best = Math.max(...scores.values());
  const winners = CATEGORIES.map((c) => c.zh).filter((c) => scores.get(c) === best);
  return { category: winners[0] ?? '其他', ambiguous: winners.length > 1 };
}

/** Words that suggest something has happened that needs reporting within 2 hours. */
export const URGENT_KEYWORDS = ['突发', '事故', '受伤', '伤亡', '火情', '起火', '火灾', '溺水', '食物中毒', '走失', '失联', '群体性', '紧急情况'] as const;
/** Words that say the text is about practice or prevention, not an incident ("消防演练" mentions 火灾 too). */
export const PREVENTION_WORDS = ['演练', '演习', '预防', '防范', '排查', '培训', '讲座', '宣传', '安全教育', '教育活动', '知识', '模拟', '防溺水', '防火', '防震'] as const;
/** Words that suggest a major event (重大活动). */
export const MAJOR_KEYWORDS = ['重大活动', '领导视察', '督导检查', '开学典礼', '毕业典礼', '现场会', '媒体采访'] as const;

/**
 * Guesses urgency from keywords, carefully: incident words count only when the text is not about a
 * drill or prevention; undefined when nothing points away from routine.
 */
export function guessUrgency(subject: string, text: string): Urgency | undefined {
  const all = `${subject}\n${text}`;
  const incident = URGENT_KEYWORDS.some((w) => all.includes(w));
  const prevention = PREVENTION_WORDS.some((w) => all.includes(w));
  if (incident && !prevention) return 'urgent';
  if (MAJOR_KEYWORDS.some((w) => all.includes(w))) return 'major';
  return undefined;
}

export interface CategoryUrgency {
  category: CategoryLabel;
  categorySource: HintSource;
  urgency: Urgency;
  urgencySource: HintSource;
  flags: string[];
}

/**
 * Category and urgency for a new report. `subject` is the subject without reply prefixes (tags
 * still in), `text` the new text of the body.
 */
export function readCategoryUrgency(subject: string, text: string): CategoryUrgency {
  const subjectTags = readTags(subject);
  const firstLines = text.split('\n').slice(0, 5).join('\n');
  const bodyTags = readTags(firstLines);
  const fields = readFieldTags(text);
  const flags: string[] = [];
  const plainSubject = subjectTags.text;

  let category: CategoryLabel;
  let categorySource: HintSource;
  const taggedCategory = subjectTags.category ?? fields.category ?? bodyTags.category;
  if (taggedCategory) {
    category = taggedCategory;
    categorySource = 'tag';
  } else {
    const guess = guessCategory(plainSubject, text);
    if (guess) {
      category = guess.category;
      categorySource = 'keyword';
      flags.push('category_guessed');
      if (guess.ambiguous) flags.push('category_ambiguous');
    } else {
      category = '其他';
      categorySource = 'default';
      flags.push('category_default');
    }
  }

  let urgency: Urgency;
  let urgencySource: HintSource;
  const taggedUrgency = subjectTags.urgency ?? fields.urgency ?? bodyTags.urgency;
  if (taggedUrgency) {
    urgency = taggedUrgency;
    urgencySource = 'tag';
  } else {
    const guess = guessUrgency(plainSubject, text);
    if (guess) {
      urgency = guess;
      urgencySource = 'keyword';
      flags.push('urgency_guessed');
    } else {
      urgency = 'routine';
      urgencySource = 'default';
      flags.push('urgency_default');
    }
  }
  return { category, categorySource, urgency, urgencySource, flags };
}
