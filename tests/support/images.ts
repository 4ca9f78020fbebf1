/** Real, decodable images for tests (a browser shows them; the upload check accepts them). */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/**
 * A PNG of `width`×`height` in stripes of colour; `padTo` bytes adds an ancillary text chunk so the file
 * has a chosen size (for size limits) while staying a valid image.
 */
export function png(width: number, height: number, options: { padTo?: number; seed?: number } = {}): Buffer {
  const seed = options.seed ?? 0;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const band = Math.floor((x + y + seed * 7) / 12) % 3;
      row[1 + x * 3] = band === 0 ? 220 : 40 + seed * 30;
      row[2 + x * 3] = band === 1 ? 160 : 90;
      row[3 + x * 3] = band === 2 ? 200 : 60;
    }
    rows.push(row);
  }
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows)))];
  const end = chunk('IEND', Buffer.alloc(0));
  const size = parts.reduce((n, p) => n + p.length, 0) + end.length;
  if (options.padTo && options.padTo > size + 12 + 10) parts.push(chunk('tEXt', Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.alloc(options.padTo - size - 12 - 8, 0x61)])));
  return Buffer.concat([...parts, end]);
}
