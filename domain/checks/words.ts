/**
 * sensitive_word: claims the education authorities forbid in school publicity (炒作中高考"状元", 升学率 and
 * rankings of schools or pupils by exam results), built in, plus the school's own list. A sentence that forbids
 * the claim ("严禁炒作高考状元和升学率", a policy being passed on) is not a finding.
 */

export interface WordHit {
  start: number;
  end: number;
  text: string;
  builtin: boolean;
}

/** The built-in list: each a pattern over one sentence's words. */
const BUILTIN: readonly RegExp[] = [
  /(?:中考|高考|学考|文科|理科|全[市区县省])?状元/g,
  /(?:升学率|重点率|一本率|本科率|上线率|重高率|名校录取率)(?:[^。；;！!\n]{0,12}?(?:(?:排名|名列|位居|位列)?(?:全[国省市区县])?(?:第[一二三1-3]|前[三3十])|排名|名列|位居|位列|领先|最高|100%|百分之百))?/g,
  /(?:排名|名列|位居|位列|综合排名|成绩排名)(?:全[国省市区县])?(?:第[一1]|前[三3])/g,
  /全[国省市区县](?:第一|前三)(?![所个批家次届位])/g,
  /(?:清华|北大|清北)(?:录取)?[0-9０-９一二三四五六七八九十]+人/g,
];
/** Words that forbid rather than claim: within the same sentence, before the phrase. */
const FORBIDDING_RE = /严禁|禁止|不得|不准|不许|杜绝|坚决纠正|不炒作|不宣传|不公布|不以|防止/;
const SENTENCE_END = /[。！？!?；;\n]/;

function sentenceStart(text: string, index: number): number {
  let a = index;
  while (a > 0 && !SENTENCE_END.test(text[a - 1] ?? '')) a--;
  return a;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class WordChecker {
  private readonly own: RegExp | null;

  constructor(
    schoolWords: readonly string[],
    private readonly builtin: boolean,
  ) {
    const words = schoolWords.map((w) => w.trim()).filter((w) => w !== '').sort((a, b) => b.length - a.length).map(escape);
    this.own = words.length > 0 ? new RegExp(words.join('|'), 'g') : null;
  }

  check(text: string): WordHit[] {
    const hits: WordHit[] = [];
    const overlaps = (start: number, end: number) => hits.some((h) => start < h.end && end > h.start);
    if (this.own) {
      for (const m of text.matchAll(this.own)) hits.push({ start: m.index, end: m.index + m[0].length, text: m[0], builtin: false });
    }
    if (this.builtin) {
      for (const re of BUILTIN) {
        for (const m of text.matchAll(re)) {
          const [start, end] = [m.index, m.index + m[0].length];
          if (overlaps(start, end)) continue;
          if (FORBIDDING_RE.test(text.slice(sentenceStart(text, start), start))) continue;
          hits.push({ start, end, text: m[0], builtin: true });
        }
      }
    }
    return hits.sort((a, b) => a.start - b.start);
  }
}
