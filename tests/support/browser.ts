/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), and screenshots of pages at
 * desktop and phone width into test-output/web/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-output/web/', import.meta.url));
export const MAIL_SCREENSHOT_DIR = fileURLToPath(new URL('../../test-output/mail/', import.meta.url));

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** `extraArgs`, e.g. `--host-resolver-rules=MAP *.baosong.test 127.0.0.1` for pages served at several host names. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/**
 * Full-page screenshots of what `page` shows now, at desktop and at phone width: <name>.desktop.png,
 * <name>.phone.png (in `dir`, default test-output/web/). Throws when the page scrolls sideways at either
 * width (after taking the pictures, so the overflow can be seen).
 */
export async function screenshots(page: Page, name: string, dir: string = SCREENSHOT_DIR): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const before = page.viewportSize() ?? DESKTOP;
  const files: string[] = [];
  const overflowing: string[] = [];
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(size);
    const file = path.join(dir, `${name}.${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (await overflowsHorizontally(page)) overflowing.push(`${label} (${size.width} px): ${await widestElement(page)}`);
    files.push(file);
  }
  await page.setViewportSize(before);
  if (overflowing.length > 0) throw new Error(`${name} scrolls sideways at ${overflowing.join('; ')}`);
  return files;
}

/** The element that sticks out furthest to the right, for the error message. */
async function widestElement(page: Page): Promise<string> {
  return String(
    await page.evaluate(`(() => {
      let worst = null, right = window.innerWidth;
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect().right;
        if (r > right + 1) { right = r; worst = el; }
      }
      return worst ? worst.tagName.toLowerCase() + (worst.id ? '#' + worst.id : '') + (worst.className ? '.' + String(worst.className).split(' ').join('.') : '') + ' reaches ' + Math.round(right) + ' px' : 'document wider than the window';
    })()`),
  );
}

/** Whether the page is wider than the viewport (a phone would have to scroll sideways). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return (await page.evaluate('document.documentElement.scrollWidth > window.innerWidth + 1')) === true;
}
