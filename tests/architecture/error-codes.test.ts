// One list of error codes (domain/errors.ts): every code production code gives is in it, with its meaning in
// zh-CN and en, every code in it is given somewhere, and all follow one naming scheme.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, errorMeaning } from '../../domain/errors.js';
import { productionFiles } from './import-graph.js';

/** Node's and libraries' own codes, which our code compares against but never gives. */
const FOREIGN = new Set(['EACCES', 'EADDRINUSE', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT', 'EEXIST', 'ERR_STREAM_PREMATURE_CLOSE']);

function codesInSource(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of productionFiles()) {
    const name = relative(process.cwd(), file);
    if (name === 'domain/errors.ts' || name.startsWith('temporal-server/')) continue;
    // Quoted codes, and codes named in a message ("错误代码 EMETRICS_FORBIDDEN", "error code …").
    for (const [, quoted, named] of readFileSync(file, 'utf8').matchAll(/'(E[A-Z][A-Z_]+)'|(?:代码|code) (E[A-Z][A-Z_]+)\b/g)) {
      const code = quoted ?? named;
      if (FOREIGN.has(code!) || code!.startsWith('ERR_') || code === 'ERROR') continue;
      found.set(code!, [...(found.get(code!) ?? []), name]);
    }
  }
  return found;
}

describe('error codes', () => {
  it('every code in the source is in domain/errors.ts, and every code there is used', () => {
    const inSource = codesInSource();
    expect([...inSource.keys()].filter((c) => !Object.hasOwn(ERRORS, c)).map((c) => `${c} (${inSource.get(c)!.join(', ')})`)).toEqual([]);
    expect(Object.keys(ERRORS).filter((c) => !inSource.has(c))).toEqual([]);
  });

  it('follow one scheme and say what they mean in both languages', () => {
    for (const [code, meaning] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^E[A-Z]+(_[A-Z]+)*$/);
      expect(meaning['zh-CN']).toMatch(/\p{Script=Han}/u);
      expect(meaning.en).toMatch(/^[\x20-\x7e’]+$/);
    }
    // Words glued together were the old scheme's (EREPORTNUMBER); a code of more than one word has its _ .
    expect(Object.keys(ERRORS).filter((c) => /^E(REPORTNUMBER|REVIEWCHAIN|MAILPARSE|TEXTSTORE)$/.test(c))).toEqual([]);
    expect(errorMeaning('EDB_CONNECT', 'zh-CN')).toBe('数据库无法打开或连接');
    expect(errorMeaning('ENOENT', 'en')).toBeNull();
  });
});
