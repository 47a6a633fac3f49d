/**
 * The account page under the enforcement policy, in a real browser: a covered user without a second factor sees a
 * banner with the deadline and is led to the authenticator card; past the deadline the banner says the session can
 * do nothing else, and the page still loads (the calls it may not make are not made). Screenshots at 1280×800 and
 * 390×844 go to .tmp/screenshots/ (with UPDATE_SCREENSHOTS=1, docs/screenshots/).
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { uniqueEmail } from '../helpers/db.ts';
import { A11Y_PROBLEMS, ROOT, browserSuite } from '../helpers/browser.ts';
import { cover, graceStartedDaysAgo } from '../helpers/enforcement.ts';
import type { TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';

const SHOTS = join(ROOT, process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : '.tmp/screenshots');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const PASSWORD = 'enforced on the account page';

describe('account page under enforcement (browser)', () => {
  let t: TestServer;
  let browser: Browser;

  browserSuite((started) => ({ t, browser } = started));

  async function coveredUser() {
    const email = uniqueEmail('page');
    const registered = await t.request('POST', '/v1/users', { body: { email, password: PASSWORD } });
    await cover(t, registered.body.user.id);
    return { email, userId: registered.body.user.id as string };
  }

  /** Signs in through the page's own form, as a user does. */
  async function signIn(viewport: { width: number; height: number }, email: string) {
    const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${t.url}/`);
    const form = page.locator('#view-sign-in');
    await form.getByLabel('Email or username').fill(email);
    await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    return { page, failures, close: () => context.close() };
  }

  const bannerText = (page: Page) => page.locator('#setup-text').innerText();

  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    it(`shows the deadline in the grace period and leads to the setup (${name})`, { timeout: 90_000 }, async () => {
      const { email } = await coveredUser();
      const { page, failures, close } = await signIn(viewport, email);
      await page.locator('#setup-banner').waitFor();
      expect(await bannerText(page)).toMatch(/needs a second factor by/);
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('totp-start');
      expect(await page.evaluate(A11Y_PROBLEMS)).toEqual([]);
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(SHOTS, `enforcement-grace-${name}.png`), animations: 'disabled' });
      await close();
      expect(failures).toEqual([]);
    });

    it(`past the deadline says the session can only set up a factor, and setting one up lifts it (${name})`, { timeout: 90_000 }, async () => {
      const { email, userId } = await coveredUser();
      await graceStartedDaysAgo(t, userId, 8);
      const { page, failures, close } = await signIn(viewport, email);
      await page.locator('#setup-banner.restricted').waitFor();
      expect(await bannerText(page)).toMatch(/until then, nothing else works/);
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(SHOTS, `enforcement-restricted-${name}.png`), animations: 'disabled' });
      // Email codes need a verified address; a passkey needs an authenticator: the app is the setup shown here.
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await expect.poll(() => page.locator('#totp-secret').textContent()).not.toBe('');
      const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
      const totpCard = page.locator('#card-totp');
      await totpCard.getByLabel('Enter the 6-digit code the app shows').fill(authenticatorCode(secret, t.clock));
      await totpCard.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
      await expect.poll(() => page.locator('#setup-banner').isVisible()).toBe(false);
      // The sessions card, empty while the session was restricted, shows this session again.
      await expect.poll(() => page.locator('#card-sessions li').count()).toBeGreaterThan(0);
      await close();
      expect(failures).toEqual([]);
    });
  }
});
