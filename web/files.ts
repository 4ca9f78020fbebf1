/**
 * Attachment downloads. `/files/<token>/<name>` serves one attachment of one report to whoever holds a
 * signed, expiring link (mail/links.ts: the status and reviewer pages and the mails carry them); the
 * office's detail page serves the same files behind its session. Either way: the type the upload check
 * stored, `nosniff`, a sandboxing CSP, and `inline` only for photos and PDF (everything else downloads).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Attachment } from '../db/rows.js';
import { openAttachment } from '../storage/attachments.js';
import { fileUrl, verifyFileLink } from '../mail/links.js';
import type { Web } from './server.js';

/** Types a browser shows itself (and that cannot carry script): shown inline; all others are downloaded. */
const INLINE = new Set(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);
/** Types a page may show as a thumbnail (<img>). HEIC is not shown by most browsers: a link only. */
const THUMBNAIL = new Set(['image/jpeg', 'image/png', 'image/webp']);

export function isThumbnailable(contentType: string): boolean {
  return THUMBNAIL.has(contentType.toLowerCase());
}

/** A Content-Disposition value: an ASCII fallback name and the real one (RFC 6266 / 5987). */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\;]/g, '_') || 'file';
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Streams a stored attachment with safe headers, or a 404 page when it is not in the store. */
export async function sendAttachment(web: Web, req: FastifyRequest, reply: FastifyReply, file: Pick<Attachment, 'sha256' | 'filename' | 'contentType'>): Promise<FastifyReply> {
  if (!/^[0-9a-f]{64}$/.test(file.sha256)) return web.message(req, reply, 404, web.t(req, 'error.notFound'));
  const stream = await openAttachment(web.config, file.sha256);
  if (!stream) return web.message(req, reply, 404, web.t(req, 'error.notFound'));
  const type = file.contentType.toLowerCase();
  const inline = INLINE.has(type);
  return reply
    .type(inline ? type : 'application/octet-stream')
    .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', file.filename))
    .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(stream);
}

/** The attachments of a report as the pages list them: a signed link each, and whether it can show as a thumbnail. */
export function fileLinks<T extends { sha256: string; filename: string; contentType: string }>(web: Web, reportId: string, files: readonly T[], now: Date = new Date()) {
  return files.map((f) => ({
    ...f,
    href: fileUrl('', { reportId, sha256: f.sha256, filename: f.filename, issuedAt: now, secret: web.secret }),
    thumbnail: isThumbnailable(f.contentType),
  }));
}

/** A report summary whose attachments carry their signed links. */
export function withFiles<T extends { id: string; attachments: readonly { sha256: string; filename: string; contentType: string }[] }>(web: Web, summary: T) {
  return { ...summary, attachments: fileLinks(web, summary.id, summary.attachments) };
}

/** A report's files behind signed links (/files/:token/:name). */
export const filePages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  app.get<{ Params: { token: string; name: string } }>('/files/:token/:name', async (req, reply) => {
    const check = verifyFileLink(req.params.token, web.secret);
    if (!check.ok) {
      const expired = check.reason === 'expired';
      return web.message(req, reply, expired ? 410 : 404, web.t(req, expired ? 'files.expired' : 'error.notFound'), { kind: expired ? 'warning' : 'error' });
    }
    const files = await web.readModel.attachmentsFor(check.claims.reportId);
    const file = files.find((a) => a.sha256 === check.claims.sha256);
    if (!file) return web.message(req, reply, 404, web.t(req, 'error.notFound'));
    return sendAttachment(web, req, reply, file);
  });
};
