// The report the benches submit (as from the web form): a routine 教育教学 report by 刘芳, new each call.
import { randomUUID } from 'node:crypto';
import type { Submission } from '../intake/submit.js';

/** `domain`: the school's mail domain (bench:district's schools each have their own). */
export function routineSubmission(now: Date, domain = 'school.test'): Submission {
  return {
    origin: { kind: 'web', ref: randomUUID() },
    from: { name: '刘芳', email: `liufang@${domain}` },
    category: '教育教学',
    urgency: 'routine',
    title: '七年级公开课周圆满结束',
    body: '11月26日，七年级开展公开课周活动，12位教师展示了公开课。',
    eventTime: now,
    receivedAt: now,
    attachments: [],
  };
}
