/**
 * The fixture corpus: every tests/fixtures/mail/<name>.eml is parsed and understood, and the result
 * compared with <name>.expected.json (the shape `baosong inspect` prints). dueAt is left to the CLI
 * test, which owns the deadline rules; everything else is checked here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { understandMail } from '../../../domain/mail/understand.js';
import { formatIsoInZone } from '../../../domain/time.js';
import { parseMail } from '../../../intake/parse-mail.js';

const DIR = fileURLToPath(new URL('../../fixtures/mail/', import.meta.url));
const TZ = 'Asia/Shanghai';
const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => f.slice(0, -'.eml'.length))
  .sort();

interface Expected {
  kind: string;
  intent: string | null;
  reportId: string | null;
  category: string;
  urgency: string;
  eventTime: string | null;
  dueAt: string | null;
  subject: string;
  from: string | null;
  attachments: { name: string | null; type: string; size: number }[];
  reason: string | null;
  flags: string[];
}

async function inspect(name: string): Promise<Omit<Expected, 'dueAt'>> {
  const input = await parseMail(readFileSync(join(DIR, `${name}.eml`)));
  const mail = understandMail(input, { timeZone: TZ });
  return {
    kind: mail.kind,
    intent: mail.intent,
    reportId: mail.reportId,
    category: mail.category,
    urgency: mail.urgency,
    eventTime: mail.eventTime ? formatIsoInZone(mail.eventTime, TZ) : null,
    subject: mail.subject,
    from: input.from?.address ?? null,
    attachments: input.attachments.map((a) => ({ name: a.filename, type: a.contentType, size: a.size })),
    reason: mail.reason,
    flags: mail.flags,
  };
}

describe('mail fixture corpus', () => {
  it('has at least 25 fixtures, each with an expected result', () => {
    expect(names.length).toBeGreaterThanOrEqual(25);
    for (const name of names) expect(() => readFileSync(join(DIR, `${name}.expected.json`), 'utf8')).not.toThrow();
  });

  it.each(names)('%s', async (name) => {
    const { dueAt, ...expected } = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8')) as Expected;
    expect(dueAt === null || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/.test(dueAt)).toBe(true);
    expect(dueAt === null).toBe(expected.kind !== 'report');
    expect(await inspect(name)).toEqual(expected);
  });
});
