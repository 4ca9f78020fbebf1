// `mail.provider` fills hosts, ports and TLS of the school's mail service; what the file says wins.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';

function withMail(mail: Record<string, unknown>) {
  const doc = parseDocument(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'));
  doc.setIn(['mail'], { address: 'baosong@school.test', ...mail });
  return parseConfig(doc.toString(), 'baosong.config.yaml').mail;
}

describe('mail.provider', () => {
  it('exmail fills both servers with TLS ports', () => {
    const mail = withMail({ provider: 'exmail', imap: { user: 'baosong@school.test', passwordEnv: 'P' }, smtp: { user: 'baosong@school.test', passwordEnv: 'S' } });
    expect(mail.imap).toMatchObject({ host: 'imap.exmail.qq.com', port: 993, secure: true });
    expect(mail.smtp).toMatchObject({ host: 'smtp.exmail.qq.com', port: 465, secure: true });
  });

  it('microsoft365 sends by STARTTLS on 587; a field in the file overrides the preset', () => {
    const mail = withMail({ provider: 'microsoft365', smtp: { user: 'a@school.test', passwordEnv: 'S' }, imap: { user: 'a@school.test', passwordEnv: 'P', host: 'imap.example.test' } });
    expect(mail.smtp).toMatchObject({ host: 'smtp.office365.com', port: 587, secure: false });
    expect(mail.imap).toMatchObject({ host: 'imap.example.test', port: 993, secure: true });
  });

  it('qq, 163, 126, netease-enterprise and aliyun know their hosts; no section, no server', () => {
    const hosts = (provider: string) => {
      const m = withMail({ provider, imap: { user: 'u', passwordEnv: 'P' }, smtp: { user: 'u', passwordEnv: 'S' } });
      return [m.imap?.host, m.smtp?.host];
    };
    expect(hosts('qq')).toEqual(['imap.qq.com', 'smtp.qq.com']);
    expect(hosts('163')).toEqual(['imap.163.com', 'smtp.163.com']);
    expect(hosts('126')).toEqual(['imap.126.com', 'smtp.126.com']);
    expect(hosts('netease-enterprise')).toEqual(['imap.qiye.163.com', 'smtp.qiye.163.com']);
    expect(hosts('aliyun')).toEqual(['imap.qiye.aliyun.com', 'smtp.qiye.aliyun.com']);
    expect(withMail({ provider: 'qq' }).smtp).toBeUndefined();
  });
});
