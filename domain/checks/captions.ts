/**
 * A mailed report has no caption field: its photos are attachments and their captions are lines of the text —
 * "图1：…", "图一 …", "图为…", "上图：…", "图片说明：…". They are given to the photos in order.
 */
import type { CheckPhoto } from './types.js';

const CAPTION_LINE_RE = /^[ \t\u3000]*(?:[（(]?(?:图[ \t]*[0-9０-９一二三四五六七八九十]+|图片说明|上图|下图|左图|右图)[)）]?[ \t]*[:：、.．，,]?|图为)[ \t\u3000]*(.*\S)/gm;

export function photoCaptionsFromText(text: string, photos: readonly { name: string | null }[]): CheckPhoto[] {
  const captions = [...text.matchAll(CAPTION_LINE_RE)].map((m) => m[1] ?? '');
  return photos.map((p, i) => ({ name: p.name, caption: captions[i] ?? null }));
}
