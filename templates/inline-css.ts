/**
 * CSS inlining for mails, with juice's result but juice's work done once per kind of element, not once
 * per mail.
 *
 * Our CSS is static and selects only by tag, class and id, through descendant or child combinators. What
 * juice writes on an element (its style attribute, and width/bgcolor/align… on table elements) then
 * depends only on that element and its ancestors. So a mail is tokenized (htmlparser2, no DOM), and for
 * each element the chain of (tag, class, id, style, the attributes juice may set) from the root is the
 * key of a cache; on a miss juice itself inlines a small document made of just that chain, and the
 * change it made to the innermost element is remembered. Everything else in the mail is copied as is,
 * and the <style> elements are removed, as juice does with removeStyleTags.
 *
 * Style sheets this cannot follow (sibling combinators, attribute selectors, pseudo-classes, @media kept
 * in the mail) go through juice in full, as before.
 */
import { Parser } from 'htmlparser2';
import juice from 'juice';

/** Exactly the juice options mails are inlined with. */
export const JUICE_OPTIONS = { removeStyleTags: true, preserveMediaQueries: false, applyWidthAttributes: true } as const;

/** Attributes that take part in selecting or that juice may write; all others (href, src, alt…) carry data. */
const KEY_ATTRIBUTES = new Set(['class', 'id', 'style', 'width', 'height', 'align', 'valign', 'bgcolor', 'background']);

/** What juice does to one element: attributes it changes (in place) and attributes it adds (at the end). */
interface Patch {
  changed: Map<string, string>;
  added: [string, string][];
}

const NO_CHANGE: Patch = { changed: new Map(), added: [] };

/**
 * Bounds of the caches: a template that put data into a class or style attribute would make a new chain
 * per mail; the cache is then emptied rather than grown (correct, only slower).
 */
const MAX_CHAINS = 10_000;
const MAX_SHEETS = 16;

interface Element {
  name: string;
  /** The number of this element's chain, from the root (a chain's key names its parent's by number). */
  chain: number;
  /** Attributes as written (entities not decoded), in source order. */
  attribs: Record<string, string>;
}

/** The patch of every chain seen with one style sheet; a chain's key is its parent's number, tag and keyed attributes. */
type Chains = Map<string, { chain: number; patch: Patch }>;

const STYLE_RE = /<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi;

/** Selectors made only of tags, classes and ids with descendant or child combinators. */
const SIMPLE_SELECTOR_RE = /^[\s\w.#>*-]+$/;

function simpleSheet(css: string): boolean {
  // Comments, at-rules (@media kept or dropped, @font-face…) and anything but "selectors { declarations }".
  if (/\/\*|@/.test(css)) return false;
  for (const block of css.split('}')) {
    const brace = block.indexOf('{');
    if (brace < 0) {
      if (block.trim() !== '') return false;
      continue;
    }
    for (const selector of block.slice(0, brace).split(',')) if (!SIMPLE_SELECTOR_RE.test(selector)) return false;
  }
  return true;
}

/** dom-serializer's form of an attribute, as juice writes it with decodeEntities off. */
const attribute = (name: string, value: string) => ` ${name}="${value.replace(/"/g, '&quot;')}"`;

export class CssInliner {
  /** Per style sheet text: null when it needs full juice, else the patches by element chain. */
  private readonly sheets = new Map<string, Chains | null>();

  /** Inlines the CSS of the page's <style> elements into it, as juice(page, JUICE_OPTIONS) does. */
  inline(page: string): string {
    const css = Array.from(page.matchAll(STYLE_RE), (m) => m[1] ?? '').join('\n');
    let patches = this.sheets.get(css);
    if (patches === undefined) {
      if (this.sheets.size >= MAX_SHEETS) this.sheets.clear();
      patches = simpleSheet(css) ? new Map() : null;
      this.sheets.set(css, patches);
    }
    if (patches !== null && patches.size > MAX_CHAINS) patches.clear();
    if (patches === null || css.trim() === '') return juice(page, JUICE_OPTIONS);
    return this.apply(page, css, patches);
  }

  private apply(page: string, css: string, patches: Chains): string {
    const out: string[] = [];
    let copied = 0;
    const stack: Element[] = [];
    let styleStart = -1;
    let failed = false;
    const parser = new Parser(
      {
        onopentag: (name, attribs) => {
          if (failed) return;
          const start = parser.startIndex;
          const end = parser.endIndex;
          // Short keys: the whole chain spelled out for every element was 8 % of the worker's garbage in a burst (issue 26).
          let key = `${stack.at(-1)?.chain ?? 0}<${name}`;
          for (const n of KEY_ATTRIBUTES) if (attribs[n] !== undefined) key += ` ${n}=${JSON.stringify(attribs[n])}`;
          let known = patches.get(key);
          if (!known) {
            const patch = name === 'style' ? NO_CHANGE : this.patchFor([...stack, { name, chain: 0, attribs }], css);
            known = { chain: patches.size + 1, patch };
            patches.set(key, known);
          }
          stack.push({ name, chain: known.chain, attribs });
          if (name === 'style') {
            styleStart = start;
            return;
          }
          const patch = known.patch;
          if (patch === NO_CHANGE) return;
          // The tag must be one plain open tag in the source for us to rewrite it.
          if (page[start] !== '<' || page[end] !== '>') {
            failed = true;
            return;
          }
          out.push(page.slice(copied, start));
          let tag = `<${name}`;
          for (const [n, v] of Object.entries(attribs)) tag += attribute(n, patch.changed.get(n) ?? v);
          for (const [n, v] of patch.added) tag += attribute(n, v);
          out.push(page[end - 1] === '/' ? `${tag}/>` : `${tag}>`);
          copied = end + 1;
        },
        onclosetag: (name) => {
          if (failed) return;
          const element = stack.pop();
          if (element?.name !== name) {
            failed = true;
            return;
          }
          if (name === 'style' && styleStart >= 0) {
            // Removed with its content, as juice's removeStyleTags does.
            out.push(page.slice(copied, styleStart));
            copied = parser.endIndex + 1;
            styleStart = -1;
          }
        },
      },
      { decodeEntities: false, lowerCaseAttributeNames: true, lowerCaseTags: true },
    );
    parser.end(page);
    if (failed || styleStart >= 0) return juice(page, JUICE_OPTIONS);
    out.push(page.slice(copied));
    return out.join('');
  }

  /** What juice writes on the innermost element of `chain`, found by inlining a document of just that chain. */
  private patchFor(chain: Element[], css: string): Patch {
    const mark = 'data-baosong-inline';
    const keyed = (e: Element) => Object.entries(e.attribs).filter(([n]) => KEY_ATTRIBUTES.has(n));
    let html = `<style>${css}</style>`;
    chain.forEach((e, i) => {
      html += `<${e.name}${keyed(e).map(([n, v]) => attribute(n, v)).join('')}${i === chain.length - 1 ? ` ${mark}=""` : ''}>`;
    });
    for (let i = chain.length - 1; i >= 0; i--) html += `</${chain[i]?.name ?? ''}>`;
    const inlined = juice(html, JUICE_OPTIONS);
    let after: [string, string][] | null = null;
    const parser = new Parser(
      {
        onopentag: (_name, attribs) => {
          if (mark in attribs) after = Object.entries(attribs).filter(([n]) => n !== mark);
        },
      },
      { decodeEntities: false },
    );
    parser.end(inlined);
    if (after === null) throw new Error(`CSS inlining: lost the element <${chain.at(-1)?.name ?? ''}> (${chain.map((e) => e.name).join(' > ')})`);
    const before = new Map(keyed(chain[chain.length - 1]!));
    const patch: Patch = { changed: new Map(), added: [] };
    for (const [n, v] of after as [string, string][]) {
      if (!before.has(n)) patch.added.push([n, v]);
      else if (before.get(n) !== v) patch.changed.set(n, v);
    }
    return patch.added.length === 0 && patch.changed.size === 0 ? NO_CHANGE : patch;
  }
}
