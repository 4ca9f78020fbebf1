// Upload type checks: the declared type must be allowed and match the bytes.
import { describe, expect, it } from 'vitest';
import { uploadType } from '../../intake/file-type.js';

const allowed = ['image/jpeg', 'image/png', 'image/heic', 'application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'];
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
const HEIC = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(8)]);
const PDF = Buffer.from('%PDF-1.7\n');
const DOCX = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0]);

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
