/** Mails about expected reports (漏报 detection): a reminder before the deadline, and the missing notice. */
import { assertTimeZone } from '../domain/time.js';
import { sharedEngine, type Engine } from './engine.js';
import { inLayout, oneLine, type RenderedMail, type RenderOptions } from './render.js';

export type ExpectedMailKind = 'expected_reminder' | 'missing';

export interface ExpectedMailData {
  schoolName: string;
  recipientName: string;
  departmentName: string;
  title: string;
  /** ISO instants. */
  eventEnd: string;
  dueAt: string;
}

export function renderExpectedMail(kind: ExpectedMailKind, data: ExpectedMailData, options: RenderOptions, engine: Engine = sharedEngine()): RenderedMail {
  assertTimeZone(options.timeZone);
  const frame = { locale: options.locale, timeZone: options.timeZone, mode: 'html' as const };
  const subject = oneLine(engine.render(`${options.locale}/${kind}.subject`, data, frame));
  return inLayout(engine, `${options.locale}/${kind}`, data, frame, subject, data.schoolName, null);
}
