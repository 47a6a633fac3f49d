/**
 * Shared by the browser tests: Debian's Chromium (a missing browser fails the test, never skips it), the
 * account page built on demand, and the accessibility probe every view must pass.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { WEB_DIST } from '../../src/api/http/web-page.ts';

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
