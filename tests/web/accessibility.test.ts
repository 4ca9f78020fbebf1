// What a teacher on a phone needs to read and to tap (issue 18 §5): hint text at least 4.5:1 against what is
// behind it, and every button and form field at least 44 px tall at 390 px. Measured in Chromium on the pages
// as served, with the colours the browser computed.
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import { outboxTransport } from '../../mail/transport.js';
import { renderMail } from '../../templates/render.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { launchChromium, PHONE } from '../support/browser.js';
import { createTestEnv } from '../support/temporal.js';
import { SAMPLES, TZ } from '../templates/fixtures.js';

let env: TestWorkflowEnvironment;
let database: Database;
let web: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  env = await createTestEnv();
  database = await openDatabase({ file: ':memory:' });
  await migrateToLatest(database);
  const config = parseConfig(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'), EXAMPLE_CONFIG_FILE);
  web = await startWeb({ config, client: env.client, readModel: new ReadModel(database), transport: outboxTransport('/nonexistent'), secret: 'a11y-secret-0123456789abcdef', port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: PHONE, locale: 'zh-CN' })).newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await database?.close();
  await env?.teardown();
});

/**
 * Each element matching `selector` with visible text: its contrast against the first opaque background behind it.
 * Runs in the page (as a string: the test's types know no DOM).
 */
const CONTRASTS = `(sel) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const ch = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  const lum = ([r = 0, g = 0, b = 0]) => 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll(sel)].filter((el) => el.innerText.trim() !== '').map((el) => {
    const a = lum(rgb(getComputedStyle(el).color));
    const b = lum(background(el));
    return { text: el.innerText.trim().slice(0, 30), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
  });
}`;

function contrasts(p: Page, selector: string): Promise<{ text: string; ratio: number }[]> {
  return p.evaluate(`(${CONTRASTS})(${JSON.stringify(selector)})`);
}

describe('readable and tappable on a phone', () => {
  it('hint text, times and footers are at least 4.5:1 on the pages and in a mail', async () => {
    const low: string[] = [];
    for (const path of ['/submit', '/office/signin', '/nowhere']) {
      await page.goto(`${web.url}${path}`);
      for (const c of await contrasts(page, '.hint, .when, footer, .muted')) if (c.ratio < 4.5) low.push(`${path} “${c.text}” ${c.ratio.toFixed(2)}:1`);
    }
    await page.setContent(renderMail('receipt', SAMPLES.receipt, { locale: 'zh-CN', timeZone: TZ }).html);
    for (const c of await contrasts(page, '.footer p, .muted')) if (c.ratio < 4.5) low.push(`receipt mail “${c.text}” ${c.ratio.toFixed(2)}:1`);
    expect(low).toEqual([]);
  });

  it('every button and form field of the form and the sign-in is at least 44 px tall at 390 px', async () => {
    const small: string[] = [];
    for (const path of ['/submit', '/office/signin']) {
      await page.goto(`${web.url}${path}`);
      const fields = await page.locator('button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, a.button').all();
      const sizes: { what: string; height: number }[] = [];
      for (const f of fields) sizes.push({ what: `${(await f.getAttribute('id')) ?? (await f.getAttribute('name')) ?? '?'}`, height: (await f.boundingBox())?.height ?? 0 });
      for (const s of sizes) if (s.height < 44) small.push(`${path} ${s.what} ${s.height.toFixed(0)} px`);
    }
    expect(small).toEqual([]);
  });
});
