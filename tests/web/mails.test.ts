// Every kind of mail baosong sends, in both languages, rendered by Debian's Chromium the way a mail client
// shows an HTML mail: no sideways scrolling on a phone (390×844) nor on a desktop, and screenshots of each
// at 1280 and 390 wide in test-output/mail/ for a person to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { migrateToLatest, openDatabase, ReadModel } from '../../db/index.js';
import { computeDigest } from '../../digest/figures.js';
import { renderExpectedMail } from '../../templates/expected.js';
import { MAIL_KINDS, renderDigest, renderMail, renderNotice, renderSignIn, renderUpward, type RenderedMail } from '../../templates/render.js';
import { LOCALES } from '../../templates/types.js';
import { BASE_URL, DEPARTMENTS, NOW, seed, TIME_ZONE } from '../digest/seed.js';
import { REPORT, SAMPLES, TZ } from '../templates/fixtures.js';
import { launchChromium, MAIL_SCREENSHOT_DIR, overflowsHorizontally, PHONE, screenshots } from '../support/browser.js';

let browser: Browser;
let page: Page;

/** A long unbroken link and file name, the things that push a narrow mail sideways. */
const LONG = {
  ...REPORT,
  title: `${REPORT.title}（含很长的标题：七年级家长会暨青春期亲子沟通专题讲座顺利召开，全年级家长共四百二十余人参加）`,
  attachments: [
    ...REPORT.attachments,
    { filename: 'IMG_20261126_150312_HDR_very_long_file_name_from_a_phone_camera.jpg', contentType: 'image/jpeg', size: 3_100_000, url: 'https://baosong.school.test/files/eyJrIjoiZiIsInIiOiJSLTIwMjYtMDA0MiJ9.abcdefghijklmnopqrstuvwxyz012345/IMG_20261126_150312_HDR_very_long_file_name_from_a_phone_camera.jpg' },
  ],
};

/** Elements whose width attribute is a pixel width wider than a phone. */
async function fixedWidths(p: Page): Promise<string[]> {
  return p.evaluate<string[]>(`[...document.querySelectorAll('[width]')].filter((e) => !String(e.getAttribute('width')).endsWith('%') && Number(e.getAttribute('width')) > ${PHONE.width}).map((e) => e.outerHTML.slice(0, 80))`);
}

async function show(mail: RenderedMail): Promise<void> {
  await page.setViewportSize(PHONE);
  await page.setContent(mail.html, { waitUntil: 'load' });
}

beforeAll(async () => {
  browser = await launchChromium();
  // Scripts off, as in a mail client; the test only looks.
  page = await (await browser.newContext({ viewport: PHONE, javaScriptEnabled: true })).newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.each([...LOCALES])('mails in %s fit a phone', (locale) => {
  it.each([...MAIL_KINDS])('%s', async (kind) => {
    const mail = renderMail(kind, { ...SAMPLES[kind], report: { ...SAMPLES[kind].report, ...LONG, attachments: [...SAMPLES[kind].report.attachments, ...LONG.attachments.slice(2)] } }, { locale, timeZone: TZ });
    await show(mail);
    expect(await overflowsHorizontally(page)).toBe(false);
    // The layout is fluid: the mail's card is as wide as the phone, and no width attribute (which clients
    // that ignore max-width go by) fixes anything wider than a phone.
    expect(await page.evaluate('document.querySelector("table.container").getBoundingClientRect().width')).toBeLessThanOrEqual(PHONE.width);
    expect(await fixedWidths(page)).toEqual([]);
    await screenshots(page, `${kind}.${locale}`, MAIL_SCREENSHOT_DIR);
  });

  it('notice, sign-in link, expected-report reminder, missing report, weekly digest', async () => {
    const options = { locale, timeZone: TZ };
    const mails: [string, RenderedMail][] = [
      ['notice', renderNotice({ schoolName: '青禾市第一实验中学', recipientName: '刘芳', originalSubject: '读书节活动照片（共 12 张，原图）', reason: '邮件太大（38 MB），超过 25 MB 的上限。', advice: '请压缩照片后重新发送，\n或使用网页表单上传。' }, options)],
      ['signin', renderSignIn({ schoolName: '青禾市第一实验中学', recipientName: '周晓梅', link: 'https://baosong.school.test/office/signin/eyJrIjoicyIsImUiOiJ6aG91eGlhb21laUBzY2hvb2wudGVzdCJ9.abcdefghijklmnopqrstuvwxyz012345', expiresAt: '2026-11-27T09:15:00+08:00' }, options)],
      ['expected_reminder', renderExpectedMail('expected_reminder', { schoolName: '青禾市第一实验中学', recipientName: '孙浩', departmentName: '德育处', title: '冬季长跑启动仪式', eventEnd: '2026-12-01T16:00:00+08:00', dueAt: '2026-12-02T16:00:00+08:00' }, options)],
      ['missing', renderExpectedMail('missing', { schoolName: '青禾市第一实验中学', recipientName: '赵丽华', departmentName: '德育处', title: '冬季长跑启动仪式', eventEnd: '2026-12-01T16:00:00+08:00', dueAt: '2026-12-02T16:00:00+08:00' }, options)],
    ];
    // 上报: the school's report as the bureau reads it (photos too large: links).
    mails.push([
      'upward',
      renderUpward(
        {
          schoolName: '青禾市第一实验中学',
          bureauName: '青禾县教育局信息科',
          title: LONG.title,
          categoryName: locale === 'en' ? 'Safety' : '安全管理',
          urgencyLabel: locale === 'en' ? 'Urgent' : '紧急',
          eventTime: '2026-12-04T07:40:00+08:00',
          departmentName: '安全办',
          submitterName: '冯磊',
          body: '今天上午7时40分，校门口一辆电动车与送学家长车辆轻微碰擦，无人受伤。\n值周教师已到场疏导，交警已处理完毕。',
          files: ['青禾市第一实验中学-校门口发生一起轻微交通事故.docx'],
          links: [{ filename: LONG.attachments.at(-1)!.filename, url: LONG.attachments.at(-1)!.url! }],
          linkDays: 7,
          contacts: [{ name: '周晓梅', email: 'zhouxiaomei@school.test' }],
          sentAt: '2026-12-04T08:05:00+08:00',
        },
        '【青禾市第一实验中学】校门口发生一起轻微交通事故',
        options,
      ),
    ]);
    const database = await openDatabase({ file: ':memory:' });
    await migrateToLatest(database);
    await seed(new ReadModel(database));
    const figures = await computeDigest(database, { week: '2026-W48', timeZone: TIME_ZONE, departments: DEPARTMENTS, baseUrl: BASE_URL, now: NOW });
    await database.close();
    mails.push(['digest', renderDigest(figures, { locale, timeZone: TIME_ZONE, schoolName: '青禾市第一实验中学', chartCid: null })]);
    for (const [name, mail] of mails) {
      await show(mail);
      expect(await fixedWidths(page), name).toEqual([]);
      await screenshots(page, `${name}.${locale}`, MAIL_SCREENSHOT_DIR);
    }
  });
});
