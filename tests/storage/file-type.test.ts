// Upload type checks: the declared type must be allowed and match the bytes; an Office file's insides too.
import { describe, expect, it } from 'vitest';
import { describeContent, uploadType } from '../../storage/file-type.js';
import { DOCX_PARTS, zip } from '../support/zip.js';

const allowed = ['image/jpeg', 'image/png', 'image/heic', 'application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'];
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
const HEIC = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(8)]);
const PDF = Buffer.from('%PDF-1.7\n');
const DOCX = zip(DOCX_PARTS);
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const DOCM_TYPE = 'application/vnd.ms-word.document.macroEnabled.12';
/** The start of a Windows program. */
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(400, 0x41)]);

describe('uploadType', () => {
  it('accepts allowed types whose bytes match', () => {
    expect(uploadType(JPEG, 'image/jpeg', allowed)).toBe('image/jpeg');
    expect(uploadType(PNG, 'IMAGE/PNG', allowed)).toBe('image/png');
    expect(uploadType(PDF, 'application/pdf', allowed)).toBe('application/pdf');
    expect(uploadType(DOCX, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', allowed)).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  });

  it('refuses a renamed file, a type not allowed, and unknown bytes', () => {
    expect(uploadType(Buffer.from('<script>alert(1)</script>'), 'image/jpeg', allowed)).toBeNull();
    expect(uploadType(PNG, 'image/jpeg', allowed)).toBeNull();
    expect(uploadType(Buffer.from('<svg onload=alert(1)>'), 'image/svg+xml', allowed)).toBeNull();
    expect(uploadType(Buffer.from('<html>'), 'text/html', allowed)).toBeNull();
    expect(uploadType(Buffer.from('MZ\x90\x00'), 'application/octet-stream', allowed)).toBeNull();
  });

  it('names a photo the browser could not name by its bytes', () => {
    expect(uploadType(HEIC, 'application/octet-stream', allowed)).toBe('image/heic');
    expect(uploadType(JPEG, '', allowed)).toBe('image/jpeg');
    expect(uploadType(JPEG, 'application/octet-stream', ['application/pdf'])).toBeNull();
  });
});

describe('Office files (OOXML)', () => {
  it('a real .docx, deflated or stored, is taken', () => {
    expect(uploadType(DOCX, DOCX_TYPE, allowed)).toBe(DOCX_TYPE);
    expect(uploadType(zip(DOCX_PARTS.map((p) => ({ ...p, deflate: false }))), DOCX_TYPE, allowed)).toBe(DOCX_TYPE);
  });

  it('a ZIP holding a program, named and declared .docx, is refused and said to hold the program', () => {
    const disguised = zip([{ name: 'setup.exe', content: EXE }]);
    expect(uploadType(disguised, DOCX_TYPE, allowed)).toBeNull();
    expect(describeContent(disguised, 'zh-CN')).toBe('含有程序（setup.exe）的 ZIP 压缩包');
    expect(describeContent(disguised, 'en')).toBe('a ZIP archive holding a program (setup.exe)');
    // With the Office parts around it, or renamed to look like a part: still found (by name, by its MZ bytes).
    expect(uploadType(zip([...DOCX_PARTS, { name: 'word/media/setup.exe', content: EXE }]), DOCX_TYPE, allowed)).toBeNull();
    expect(uploadType(zip([...DOCX_PARTS, { name: 'word/media/image1.png', content: EXE }]), DOCX_TYPE, allowed)).toBeNull();
    expect(uploadType(zip([...DOCX_PARTS, { name: 'word/media/image1.png', content: EXE, deflate: false }]), DOCX_TYPE, allowed)).toBeNull();
  });

  it('a ZIP of anything else (no [Content_Types].xml) is no Office file', () => {
    expect(uploadType(zip([{ name: '照片/1.jpg', content: JPEG }]), DOCX_TYPE, allowed)).toBeNull();
    expect(describeContent(zip([{ name: '照片/1.jpg', content: JPEG }]), 'zh-CN')).toBe(' ZIP 压缩包（不是 Office 文件）');
    expect(uploadType(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0]), DOCX_TYPE, allowed)).toBeNull();
  });

  it('macros (vbaProject.bin) only when the school lists the macro-enabled type', () => {
    const withMacros = zip([...DOCX_PARTS, { name: 'word/vbaProject.bin', content: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) }]);
    expect(uploadType(withMacros, DOCX_TYPE, allowed)).toBeNull();
    expect(describeContent(withMacros, 'zh-CN')).toBe('含有宏（word/vbaProject.bin）的 Office 文件');
    expect(uploadType(withMacros, DOCM_TYPE, allowed)).toBeNull();
    expect(uploadType(withMacros, DOCM_TYPE, [...allowed, DOCM_TYPE])).toBe(DOCM_TYPE.toLowerCase());
  });
});
