/**
 * Shared by the browser tests: Debian's Chromium (a missing browser fails the test, never skips it), the
 * account page built on demand, and the accessibility probe every view must pass.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { WEB_DIST } from '../../src/api/http/web-page.ts';
import { startTestServer, type TestServer } from './server.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

/** Newest modification time under a file or directory. */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds web/dist when it is missing or older than its sources (about a second with Vite). */
export function ensurePageBuilt(): void {
  const built = join(WEB_DIST, 'index.html');
  const sources = ['web/index.html', 'web/src', 'web/vite.config.ts', 'src/client'].map((p) => join(ROOT, p));
  if (existsSync(built) && Math.max(...sources.map(newest)) <= statSync(built).mtimeMs) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'pipe',
    timeout: 60_000,
  });
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM} and it is missing. ` +
        (process.env.CI ? 'CI must install it (.ci/run: apt-get install -y chromium).' : 'Install it: apt-get install -y chromium.'),
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Form fields without a label, buttons without a name, images without alt: there must be none. */
export const A11Y_PROBLEMS = `(() => {
  const problems = [];
  for (const e of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')) problems.push('unlabelled ' + (e.id || e.outerHTML));
  }
  for (const b of document.querySelectorAll('button')) {
    if (!b.textContent.trim() && !b.getAttribute('aria-label')) problems.push('nameless button ' + b.outerHTML);
  }
  for (const i of document.querySelectorAll('img')) if (!i.hasAttribute('alt')) problems.push('img without alt ' + i.outerHTML);
  if (!document.documentElement.lang) problems.push('no lang on html');
  return problems;
})()`;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations on the page as it is now (WCAG 2.x A and AA rules and best practices), one line each.
 * Injected through the debugging protocol, which the page's CSP does not govern: the page itself allows no inline
 * script, and the test must not weaken that.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(AXE_SOURCE);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
    result.violations.map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`);
}

export const PHONE = { width: 390, height: 844 };

/** A new browser context and page; `close()` also fails the test on any error the page logged. */
export async function openPage(browser: Browser, viewport: { width: number; height: number }, extra: Parameters<Browser['newContext']>[0] = {}) {
  const context: BrowserContext = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC', acceptDownloads: true, ...extra });
  const page: Page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  page.on('console', (message) => {
    // A CSP violation or a broken script shows here. Refused API calls (4xx) are part of the journey.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) failures.push(message.text());
  });
  const close = async () => {
    await context.close();
    expect(failures, 'errors in the browser console').toEqual([]);
  };
  return { context, page, close };
}

/** Where screenshots go: .tmp/screenshots/, or with UPDATE_SCREENSHOTS=1 docs/screenshots/ (which the docs show). */
export const SHOTS = join(ROOT, process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : '.tmp/screenshots');

/** The account page of a tab that signed in before (its token in sessionStorage). */
export async function signedInPage(browser: Browser, serverUrl: string, token: string, viewport: { width: number; height: number }) {
  const opened = await openPage(browser, viewport);
  await opened.page.goto(`${serverUrl}/`);
  await opened.page.evaluate(`sessionStorage.setItem('twofold.session', ${JSON.stringify(token)})`);
  await opened.page.reload();
  await opened.page.getByRole('heading', { name: 'Your account' }).waitFor();
  return opened;
}

/** Both probes at once: the page's own (labels, names, alt, lang) and axe-core's violations. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  return [...((await page.evaluate(A11Y_PROBLEMS)) as string[]), ...(await axeViolations(page))];
}

/**
 * One server and one Chromium for a describe block's browser tests: the page built, started before the block's
 * tests (handed to `started`), closed after them.
 */
export function browserSuite(started: (suite: { t: TestServer; browser: Browser }) => void, ...server: Parameters<typeof startTestServer>): void {
  let suite: { t: TestServer; browser: Browser } | undefined;
  beforeAll(async () => {
    ensurePageBuilt();
    mkdirSync(SHOTS, { recursive: true });
    const t = await startTestServer(...server);
    suite = { t, browser: await launchChromium() };
    started(suite);
  }, 120_000);
  afterAll(async () => {
    await suite?.browser.close();
    await suite?.t.close();
  });
}
