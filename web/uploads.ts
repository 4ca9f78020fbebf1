/**
 * Checks on uploaded files: the declared type must be one the school accepts, and for the types we
 * can recognise, the bytes must really be of that type (a renamed script is not a photo).
 */

/** Leading bytes of the types we can check. */
function sniff(content: Buffer): string | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => content[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (content.subarray(0, 4).toString('latin1') === 'RIFF' && content.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (content.subarray(4, 8).toString('latin1') === 'ftyp' && /^(heic|heix|mif1|msf1|hevc)$/.test(content.subarray(8, 12).toString('latin1'))) return 'image/heic';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'application/zip';
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return 'application/x-cfb';
  return null;
}

/** What the bytes of each declared type must look like. */
const EXPECTED: Record<string, readonly string[]> = {
  'image/jpeg': ['image/jpeg'],
  'image/png': ['image/png'],
  'image/webp': ['image/webp'],
  'image/heic': ['image/heic'],
  'application/pdf': ['application/pdf'],
  'application/msword': ['application/x-cfb'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['application/zip'],
};

/**
 * The type a file is stored under, or null when it is refused. A declared type must be allowed and,
 * where we can tell, match the bytes. A file the browser could not name (application/octet-stream, as
 * some phones send HEIC photos) is taken by what its bytes are, when that is an allowed image or PDF.
 */
export function uploadType(content: Buffer, declared: string, allowed: readonly string[]): string | null {
  const ok = allowed.map((t) => t.toLowerCase());
  const type = declared.toLowerCase().split(';')[0]?.trim() ?? '';
  const found = sniff(content);
  if (type === '' || type === 'application/octet-stream') {
    return found !== null && ok.includes(found) && EXPECTED[found]?.includes(found) ? found : null;
  }
  if (!ok.includes(type)) return null;
  const expected = EXPECTED[type];
  if (!expected) return type;
  return found !== null && expected.includes(found) ? type : null;
}

/** A readable list of accepted types: "JPEG, PNG, PDF …". */
export function typeNames(allowed: readonly string[]): string {
  const names: Record<string, string> = {
    'image/jpeg': 'JPEG',
    'image/png': 'PNG',
    'image/heic': 'HEIC',
    'image/webp': 'WebP',
    'application/pdf': 'PDF',
    'application/msword': 'Word (.doc)',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word (.docx)',
  };
  return allowed.map((t) => names[t] ?? t).join(', ');
}
