/**
 * Reading a multipart form with files (the report form, the revise page): fields as text, files
 * checked as they arrive (size per file and in total, count, type matching the bytes), every problem a
 * sentence the person can act on. Files are kept in memory only up to the configured limits.
 */
import type { FastifyRequest } from 'fastify';
import type { Web } from './server.js';

/** Files one report may carry through the form (the multipart limits in server.ts follow it). */
export const MAX_FILES = 9;
import { describeContent, typeNames, uploadType } from '../storage/file-type.js';

const MB = 1024 * 1024;

export interface Upload {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface FormRead {
  fields: Record<string, string>;
  uploads: Upload[];
  /** Problems with the files (too large, wrong type, too many), in the page's language. */
  errors: string[];
}

/** The form, or null when the request is not a readable multipart form. */
export async function readMultipartForm(req: FastifyRequest, web: Web): Promise<FormRead | null> {
  const limits = web.config.mail.limits;
  const maxTotalBytes = Math.floor(limits.maxMailMB * MB);
  const fields: Record<string, string> = {};
  const uploads: Upload[] = [];
  const errors: string[] = [];
  let total = 0;
  let tooMany = false;
  if (!req.isMultipart()) return null;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value;
        continue;
      }
      if (uploads.length >= MAX_FILES || total > maxTotalBytes) {
        // Past a limit: read the rest of the request without keeping it, then say so.
        if (uploads.length >= MAX_FILES) tooMany = true;
        part.file.resume();
        continue;
      }
      const content = await part.toBuffer();
      if (!part.filename && content.length === 0) continue; // no file chosen
      const name = part.filename || 'file';
      if (part.file.truncated) {
        errors.push(web.t(req, 'error.fileTooLarge', { name, mb: limits.maxAttachmentMB }));
        continue;
      }
      total += content.length;
      if (content.length === 0) continue;
      const type = uploadType(content, part.mimetype, limits.allowedTypes);
      if (!type) {
        errors.push(web.t(req, 'error.fileType', { name, type: part.mimetype || '?', actual: describeContent(content, web.locale(req)), types: typeNames(limits.allowedTypes) }));
        continue;
      }
      uploads.push({ filename: name, contentType: type, content });
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') tooMany = true;
    else {
      web.logger.warn(`web: form unreadable: ${(err as Error).message}`);
      return null;
    }
  }
  if (tooMany) errors.push(web.t(req, 'error.tooManyFiles', { max: MAX_FILES }));
  if (total > maxTotalBytes) errors.push(web.t(req, 'error.totalTooLarge', { total: limits.maxMailMB }));
  return { fields, uploads, errors };
}
