/** Mails as staff's clients write them, for intake tests: new reports, and replies that quote what we sent. */
import { randomUUID } from 'node:crypto';
import type { CaughtMail } from './smtp.js';

const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

export interface MailSpec {
  from: string;
  to?: string;
  subject: string;
  body: string;
  messageId?: string;
  inReplyTo?: string;
  extraHeaders?: string[];
  attachment?: { name: string; type: string; content: Buffer };
}

export function mail(spec: MailSpec): Buffer {
  const messageId = spec.messageId ?? `<${randomUUID()}@school.test>`;
  const headers = [
    `From: ${spec.from.replace(/^(\S+) </, (_, n: string) => `${b64(n)} <`)}`,
    `To: ${spec.to ?? 'baosong@school.test'}`,
    `Subject: ${b64(spec.subject)}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${messageId}`,
    ...(spec.inReplyTo ? [`In-Reply-To: ${spec.inReplyTo}`, `References: ${spec.inReplyTo}`] : []),
    ...(spec.extraHeaders ?? []),
    'MIME-Version: 1.0',
  ];
  if (!spec.attachment) return Buffer.from([...headers, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from(spec.body).toString('base64'), ''].join('\r\n'));
  const boundary = `b-${randomUUID()}`;
  return Buffer.from(
    [
      ...headers,
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(spec.body).toString('base64'),
      `--${boundary}`,
      `Content-Type: ${spec.attachment.type}; name="${spec.attachment.name}"`,
      `Content-Disposition: attachment; filename="${spec.attachment.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      spec.attachment.content.toString('base64').replace(/.{76}/g, '$&\r\n'),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

/** A reply as QQ Mail writes it: the new text on top, the original quoted below. */
export function replyTo(request: CaughtMail, from: string, text: string, options: { to?: string; messageId?: string } = {}): Buffer {
  return mail({
    from,
    to: options.to ?? request.replyTo ?? 'baosong@school.test',
    subject: `回复：${request.subject}`,
    inReplyTo: request.messageId,
    ...(options.messageId ? { messageId: options.messageId } : {}),
    body: `${text}\n\n------------------ 原始邮件 ------------------\n发件人: "信息报送" <baosong@school.test>;\n主题: ${request.subject}\n\n${request.text.split('\n').map((l) => `> ${l}`).join('\n')}`,
  });
}

