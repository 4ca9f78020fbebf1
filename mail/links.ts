/**
 * Signed links that go out in mail: the private status page of a report. The web pages (a later issue)
 * check the same signature; a link never acts by being opened.
 */
import { createHmac } from 'node:crypto';

export function statusToken(reportId: string, secret: string): string {
  return createHmac('sha256', secret).update(`baosong-status|${reportId}`).digest('base64url').slice(0, 22);
}

export function statusUrl(baseUrl: string, reportId: string, secret: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/status/${encodeURIComponent(reportId)}/${statusToken(reportId, secret)}`;
}
