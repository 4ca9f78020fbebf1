/**
 * What is inside an Office Open XML file (.docx, .xlsx, .pptx and their macro-enabled kinds): a ZIP whose
 * central directory lists `[Content_Types].xml` and the document's parts. A ZIP of anything else renamed
 * .docx passes a check of the first bytes ("PK"); this one reads the directory and the start of each part,
 * so a program inside (by name or by its "MZ" bytes) or macros (vbaProject.bin) are found. Read only
 * through the first bytes of each part: a bomb is never inflated.
 */
import { constants, inflateRawSync } from 'node:zlib';

export type OfficeProblem =
  | { kind: 'not-office' } // a ZIP without [Content_Types].xml, or not a readable ZIP
  | { kind: 'program'; part: string } // an executable part, by its name or its bytes
  | { kind: 'macros'; part: string }; // VBA macros in a type that must have none

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  localOffset: number;
}

const MAX_ENTRIES = 10_000;
const PROGRAM_NAME_RE = /\.(?:exe|com|scr|pif|bat|cmd|msi|msp|lnk|js|jse|vbs|vbe|wsf|wsh|hta|ps1|psm1|jar|apk|dll|cpl|reg|sh)$/i;
/** Parts that hold VBA macros (Word, Excel, PowerPoint) or their XML form. */
const MACRO_PART_RE = /(?:^|\/)(?:vbaProject\.bin|vbaData\.xml)$/i;

/** The ZIP's central directory, or null when it cannot be read. */
function entries(zip: Buffer): Entry[] | null {
  // End of central directory: 22 bytes plus a comment of up to 64 KiB, at the end.
  const from = Math.max(0, zip.length - 22 - 0xffff);
  let end = -1;
  for (let i = zip.length - 22; i >= from; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  if (count > MAX_ENTRIES) return null;
  const out: Entry[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return null;
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    out.push({
      name: zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      localOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

/** The first bytes of a part (stored or deflated), or an empty buffer when they cannot be read. */
function head(zip: Buffer, e: Entry): Buffer {
  const at = e.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== 0x04034b50) return Buffer.alloc(0);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, Math.min(zip.length, start + Math.min(e.compressedSize, 4096)));
  if (e.method === 0) return data.subarray(0, 16);
  if (e.method !== 8) return Buffer.alloc(0);
  try {
    return inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 64 * 1024 }).subarray(0, 16);
  } catch {
    return Buffer.alloc(0);
  }
}

/** Why an OOXML file must be refused, or null when it looks like a document. `macros`: the type may hold VBA. */
export function officeProblem(zip: Buffer, options: { macros: boolean }): OfficeProblem | null {
  const list = entries(zip);
  if (!list) return { kind: 'not-office' };
  for (const e of list) {
    if (PROGRAM_NAME_RE.test(e.name.replace(/[\s.]+$/, ''))) return { kind: 'program', part: e.name };
    if (!options.macros && MACRO_PART_RE.test(e.name)) return { kind: 'macros', part: e.name };
    if (head(zip, e).subarray(0, 2).toString('latin1') === 'MZ') return { kind: 'program', part: e.name };
  }
  return list.some((e) => e.name === '[Content_Types].xml') ? null : { kind: 'not-office' };
}
