/**
 * Checks on files people send, through the web form or attached to a mail: the declared type must be
 * one the school accepts, and for the types we can recognise, the bytes must really be of that type
 * (a renamed script is not a photo); a name that ends like a program is refused whatever its bytes.
 * Office files (.docx and kin) are ZIPs: their insides are checked too (storage/office-file.ts).
 */
import { officeProblem } from './office-file.js';

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
  const head = content.subarray(0, 512).toString('latin1');
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'image/gif';
  if (head.startsWith('MZ')) return 'application/x-msdownload';
  if (head.startsWith('#!')) return 'text/x-script';
  if (/^\s*<(!doctype html|html|script|svg|\?xml)/i.test(head)) return 'text/html';
  if (starts(0x52, 0x61, 0x72, 0x21) || starts(0x37, 0x7a, 0xbc, 0xaf) || starts(0x1f, 0x8b)) return 'application/x-archive';
  return null;
}

const CONTENT_NAMES: Record<string, { 'zh-CN': string; en: string }> = {
  'image/jpeg': { 'zh-CN': ' JPEG 图片', en: 'a JPEG image' },
  'image/png': { 'zh-CN': ' PNG 图片', en: 'a PNG image' },
  'image/webp': { 'zh-CN': ' WebP 图片', en: 'a WebP image' },
  'image/heic': { 'zh-CN': ' HEIC 照片', en: 'a HEIC photo' },
  'image/gif': { 'zh-CN': ' GIF 动图', en: 'a GIF image' },
  'application/pdf': { 'zh-CN': ' PDF 文档', en: 'a PDF document' },
  'application/zip': { 'zh-CN': ' ZIP 压缩包（或 .docx/.xlsx 等 Office 文件）', en: 'a ZIP archive (or an Office .docx/.xlsx file)' },
  'application/x-cfb': { 'zh-CN': '旧版 Office 文件（.doc/.xls/.ppt）', en: 'an old Office file (.doc/.xls/.ppt)' },
  'application/x-msdownload': { 'zh-CN': 'Windows 程序', en: 'a Windows program' },
  'text/x-script': { 'zh-CN': '脚本', en: 'a script' },
  'text/html': { 'zh-CN': '网页（HTML）', en: 'a web page (HTML)' },
  'application/x-archive': { 'zh-CN': '压缩包', en: 'a compressed archive' },
};

/** What a file really is, from its bytes, in words: " JPEG 图片" / "a JPEG image"; unknown content says so. */
export function describeContent(content: Buffer, locale: 'zh-CN' | 'en'): string {
  const found = sniff(content);
  if (found === 'application/zip') {
    const problem = officeProblem(content, { macros: true });
    if (problem?.kind === 'program') return locale === 'en' ? `a ZIP archive holding a program (${problem.part})` : `含有程序（${problem.part}）的 ZIP 压缩包`;
    if (problem?.kind === 'not-office') return locale === 'en' ? 'a ZIP archive (not an Office file)' : ' ZIP 压缩包（不是 Office 文件）';
    if (problem === null) {
      const macros = officeProblem(content, { macros: false });
      if (macros?.kind === 'macros') return locale === 'en' ? `an Office file with macros (${macros.part})` : `含有宏（${macros.part}）的 Office 文件`;
    }
  }
  const name = found ? CONTENT_NAMES[found] : undefined;
  if (name) return name[locale];
  return locale === 'en' ? 'content of a kind that could not be recognised' : '无法识别的内容';
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
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['application/zip'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['application/zip'],
  'application/vnd.ms-word.document.macroenabled.12': ['application/zip'],
  'application/vnd.ms-excel.sheet.macroenabled.12': ['application/zip'],
  'application/vnd.ms-powerpoint.presentation.macroenabled.12': ['application/zip'],
};

/**
 * Office Open XML types, and whether each may hold macros: a school that accepts macros lists the
 * macro-enabled type (application/vnd.ms-word.document.macroEnabled.12, .docm) in mail.limits.allowedTypes;
 * a .docx with vbaProject.bin inside is refused.
 */
const OFFICE_MACROS: Record<string, boolean> = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': false,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': false,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': false,
  'application/vnd.ms-word.document.macroenabled.12': true,
  'application/vnd.ms-excel.sheet.macroenabled.12': true,
  'application/vnd.ms-powerpoint.presentation.macroenabled.12': true,
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
  if (found === null || !expected.includes(found)) return null;
  const macros = OFFICE_MACROS[type];
  return macros === undefined || officeProblem(content, { macros }) === null ? type : null;
}

/** Endings of names that run or render when opened (a mail client or a browser would act on them). */
const ACTIVE_EXTENSION_RE = /\.(?:exe|com|scr|pif|bat|cmd|msi|msp|lnk|js|jse|vbs|vbe|wsf|wsh|hta|ps1|psm1|jar|apk|dll|cpl|reg|html?|xhtml|svg|sh)$/i;

/** The file's name (already cleaned of control characters) ends like a program or a web page. */
export function hasActiveExtension(name: string): boolean {
  return ACTIVE_EXTENSION_RE.test(name.trim().replace(/[\s.]+$/, ''));
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
