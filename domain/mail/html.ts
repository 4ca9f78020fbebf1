/**
 * A small, forgiving HTML → text conversion for mails that come as HTML only. Quoted history in
 * <blockquote> is dropped (the reply's new text is what counts), block elements become line breaks,
 * entities are decoded. Not a general HTML parser: good enough for mail bodies.
 */

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  ldquo: '“',
  rdquo: '”',
  lsquo: '‘',
  rsquo: '’',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  middot: '·',
  copy: '©',
  ensp: ' ',
  emsp: ' ',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Removes every <blockquote>…</blockquote>, nested ones included (an unclosed one runs to the end). */
export function removeBlockquotes(html: string): string {
  const tag = /<(\/?)blockquote\b[^<>]*>/gi;
  let out = '';
  let depth = 0;
  let last = 0;
  for (const m of html.matchAll(tag)) {
    const closing = m[1] === '/';
    if (!closing) {
      if (depth === 0) out += html.slice(last, m.index);
      depth++;
    } else if (depth > 0) {
      depth--;
      if (depth === 0) last = m.index + m[0].length;
    }
  }
  if (depth === 0) out += html.slice(last);
  return out;
}

/** Removes comments and <head>, <style>, <script>, <title> elements; an unclosed one runs to the end. Linear. */
export function removeInvisible(html: string): string {
  const open = /<!--|<(head|style|script|title)\b[^<>]*>/gi;
  let out = '';
  let pos = 0;
  for (;;) {
    open.lastIndex = pos;
    const m = open.exec(html);
    if (!m) return out + html.slice(pos);
    out += html.slice(pos, m.index);
    const close = m[1] === undefined ? /-->/g : new RegExp(`</${m[1]}\\s*>`, 'gi');
    close.lastIndex = m.index + m[0].length;
    const c = close.exec(html);
    if (!c) return out;
    pos = c.index + c[0].length;
  }
}

/** HTML → plain text lines; blockquoted history removed. */
export function htmlToText(html: string): string {
  let s = removeBlockquotes(removeInvisible(html));
  s = s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|table|ul|ol|pre)\s*>/gi, '\n')
    .replace(/<(p|div|li|tr|h[1-6]|table|ul|ol|pre|hr)\b[^<>]*>/gi, '\n')
    .replace(/<[^<>]*>/g, '');
  s = decodeEntities(s).replace(/\r\n?/g, '\n');
  return s
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
