// What `baosong start` prints on a terminal once it is up, in the language the school reads.
import { describe, expect, it } from 'vitest';
import { prettyLine, summaryBlock } from '../../cli/log.js';
import type { ServiceSummary } from '../../worker/service.js';

const summary = (locale: ServiceSummary['locale']): ServiceSummary => ({
  locale,
  demo: false,
  form: 'http://school.test:8080/submit',
  demoMailbox: null,
  office: 'http://school.test:8080/office',
  officePeople: ['zhouxiaomei@school.test', 'xieyutong@school.test'],
  mail: 'SMTP smtp.school.test:465',
  intake: locale === 'en' ? 'watching INBOX of baosong@school.test at imap.school.test:993' : '正在收取 baosong@school.test 的 INBOX（imap.school.test:993）',
  off: [],
});

describe('the start-up summary on a terminal', () => {
  it('is Chinese for a Chinese school: every label and sentence, the labels lined up', () => {
    const lines = summaryBlock(summary('zh-CN')).split('\n');
    expect(lines[1]).toBe('baosong 已在运行');
    expect(lines.slice(2, 6)).toEqual([
      '  报送表单\u3000  http://school.test:8080/submit',
      '  办公室看板  http://school.test:8080/office — 用办公室或校领导的邮箱登录（例如 zhouxiaomei@school.test、xieyutong@school.test）；登录链接会发到邮箱',
      '  邮件发往\u3000  SMTP smtp.school.test:465',
      '  收信情况\u3000  正在收取 baosong@school.test 的 INBOX（imap.school.test:993）',
    ]);
    expect(lines[6]).toBe('按 Ctrl-C 停止。');
    // No English sentence left for the IT teacher to puzzle over (addresses and host names aside).
    expect(lines.join('\n').replace(/[\w.@:/-]+/g, '')).not.toMatch(/[A-Za-z]{3,}/);
  });

  it('is English for a school that chose `locale: en`', () => {
    const text = summaryBlock({ ...summary('en'), demo: true, demoMailbox: 'http://127.0.0.1:8080/demo/mail' });
    expect(text).toContain('baosong is running — DEMO: every report is lost when it stops');
    expect(text).toContain('  Demo mailbox  http://127.0.0.1:8080/demo/mail — start here');
    expect(text).toContain('  Office        http://school.test:8080/office — sign in with an office or leadership address (e.g. zhouxiaomei@school.test, xieyutong@school.test); the sign-in link is mailed (to the demo mailbox)');
    expect(text).toContain('Ctrl-C to stop.');
  });

  it('shows warnings before it and every event after it', () => {
    const warn = JSON.stringify({ level: 40, time: 0, msg: '收信未启用：没有设置 BAOSONG_IMAP_PASSWORD' });
    const info = JSON.stringify({ level: 30, time: 0, msg: '已停止' });
    expect(prettyLine(warn, false)).toMatch(/! 收信未启用：没有设置 BAOSONG_IMAP_PASSWORD$/);
    expect(prettyLine(info, false)).toBeNull();
    expect(prettyLine(info, true)).toMatch(/ {3}已停止$/);
  });
});
