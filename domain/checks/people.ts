/**
 * leader_title_mismatch: a person of the configuration written with a title that is not theirs — 副校长张国栋
 * when he is the 校长, 李文娟校长 when she is a 副校长, 德育处主任王建国 when he is the 教务主任. A title is
 * read right before the name (校长张国栋) or right after it (张国栋校长); a shorter form of one's own title is
 * fine (王建国主任 for the 教务主任, 书记 for the 党委书记), a 副 dropped or added is not.
 */
import type { CheckPerson } from './types.js';

/** Titles people are called by in school news, beside the configured ones. */
const COMMON_TITLES = [
  '校长', '副校长', '执行校长', '名誉校长', '书记', '副书记', '党委书记', '党支部书记', '党总支书记', '主任', '副主任',
  '处长', '副处长', '组长', '副组长', '年级组长', '教研组长', '备课组长', '班主任', '园长', '副园长', '主席', '副主席', '工会主席',
];

/** "副校长（分管宣传、行政）" → ["副校长"]; "党委书记、校长" → ["党委书记", "校长"]. */
export function normalizeTitles(titles: readonly string[]): string[] {
  return titles
    .flatMap((t) => t.replace(/[（(][^）)]*[)）]/g, '').split(/[、，,;；/\s]+/))
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

export interface TitleProblem {
  start: number;
  end: number;
  name: string;
  written: string;
  own: string[];
}

function compatible(written: string, own: readonly string[]): boolean {
  return own.some((t) => t === written || (t.endsWith(written) && !t.slice(0, t.length - written.length).endsWith('副')));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiled once per set of facts: the patterns depend only on the configuration. */
export class TitleChecker {
  private readonly people: { name: string; own: string[]; departments: readonly string[] }[];
  private readonly before: RegExp;
  private readonly after: RegExp;
  private readonly names: RegExp | null;

  constructor(people: readonly CheckPerson[], departments: readonly string[]) {
    const merged = new Map<string, { name: string; own: string[]; departments: string[] }>();
    for (const p of people) {
      const own = normalizeTitles(p.titles);
      if (own.length === 0 || p.name.length < 2) continue;
      const m = merged.get(p.name) ?? { name: p.name, own: [], departments: [] };
      m.own.push(...own.filter((t) => !m.own.includes(t)));
      m.departments.push(...p.departments.filter((d) => !m.departments.includes(d)));
      merged.set(p.name, m);
    }
    this.people = [...merged.values()];
    const titles = [...new Set([...COMMON_TITLES, ...this.people.flatMap((p) => p.own)])].sort((a, b) => b.length - a.length).map(escape);
    const depts = [...departments].sort((a, b) => b.length - a.length).map(escape);
    const dept = depts.length > 0 ? `(?<dept>${depts.join('|')})?` : '';
    const title = `(?<title>${titles.join('|')})`;
    this.before = new RegExp(`${dept}${title}[ \\t]*$`);
    this.after = new RegExp(`^[ \\t]*${dept}${title}`);
    const names = this.people.map((p) => escape(p.name)).sort((a, b) => b.length - a.length);
    this.names = names.length > 0 ? new RegExp(names.join('|'), 'g') : null;
  }

  check(text: string): TitleProblem[] {
    if (!this.names) return [];
    const problems: TitleProblem[] = [];
    for (const m of text.matchAll(this.names)) {
      const person = this.people.find((p) => p.name === m[0]);
      if (!person) continue;
      const nameEnd = m.index + m[0].length;
      const b = this.before.exec(text.slice(Math.max(0, m.index - 16), m.index));
      const a = this.after.exec(text.slice(nameEnd, nameEnd + 16));
      for (const [hit, start, end] of [
        [b, b ? m.index - b[0].length : 0, nameEnd],
        [a, m.index, a ? nameEnd + a[0].length : 0],
      ] as const) {
        if (!hit) continue;
        const written = hit.groups?.['title'] ?? '';
        const dept = hit.groups?.['dept'];
        const otherDepartment = dept !== undefined && !person.departments.includes(dept);
        if (otherDepartment || !compatible(written, person.own)) {
          problems.push({ start, end, name: person.name, written: (dept ?? '') + written, own: person.own });
        }
      }
    }
    return problems;
  }
}
