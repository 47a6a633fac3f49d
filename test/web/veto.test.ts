/**
 * The veto window on the account page (security.md threat 22), in Chromium: with FACTOR_CHANGE_VETO_SECONDS on, a
 * user with an authenticator who turns it off and turns email codes on sees both under "Pending changes" (what, and
 * when it applies) instead of done; the mailed link (`#veto=<token>`) asks before it cancels, then signs out and
 * says the account is locked, and sign-in says so too. axe-core checks each state; screenshots 18-pending-change-*
 * go to .tmp/screenshots/ (with UPDATE_SCREENSHOTS=1, docs/screenshots/).
 */
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { enrolledUser } from '../helpers/accounts.ts';
import { PHONE, SHOTS, accessibilityProblems, openPage, signedInPage, browserSuite } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';

const DESKTOP = { width: 1280, height: 800 };
const STEP_UP_WINDOW_MS = 600_000;
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000 });
const vetoFragment = (link: string) => new URL(link).hash;

describe('pending factor changes and the veto link (browser)', () => {
  let t: TestServer;
  let browser: Browser;

  browserSuite((started) => ({ t, browser } = started), { FACTOR_CHANGE_VETO_SECONDS: '86400' });

  const noProblems = async (page: Page, state: string) => expect(await accessibilityProblems(page), `accessibility, ${state}`).toEqual([]);

  async function shots(page: Page, name: string): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true, animations: 'disabled' });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true, animations: 'disabled' });
    await page.setViewportSize(DESKTOP);
  }

  it('shows held changes under "Pending changes", and the mailed link cancels them and locks the account', { timeout: 120_000 }, async () => {
    const user = await enrolledUser(t, 'web-veto');
    // Email codes need a verified address.
    const verifyToken = new URL(t.notices.last('verify-email', user.email).link).searchParams.get('token');
    expect((await t.request('POST', '/v1/email-verification', { body: { token: verifyToken } })).status).toBe(200);
    const { page, close } = await signedInPage(browser, t.url, user.token, DESKTOP);
    const pending = page.locator('#card-pending');
    await poll(() => page.locator('#totp-status').textContent()).toMatch(/^On\./);
    expect(await pending.isVisible(), 'no card without pending changes').toBe(false);

    /** Answers the step-up panel with a fresh app code (the sign-in is older than the step-up window). */
    const confirmWithApp = async (card: Locator, label: string, button: string) => {
      const field = card.getByLabel(label);
      await field.waitFor();
      t.clock.advance(30_000);
      await field.fill(authenticatorCode(user.secret, t.clock));
      await card.getByRole('button', { name: button }).last().click();
    };

    // The app off: held, not done.
    const totpCard = page.locator('#card-totp');
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    await totpCard.getByRole('button', { name: 'Turn off' }).click();
    await totpCard.getByRole('button', { name: 'Turn off the app' }).click();
    await confirmWithApp(totpCard, 'To turn the app off, enter a code from it', 'Turn off');
    await poll(() => totpCard.locator(':scope > .msg').textContent()).toMatch(/^Turning off the authenticator app takes effect on .+ we emailed you about it/);
    expect(await page.locator('#totp-status').textContent()).toMatch(/^On\./);
    await pending.waitFor();
    expect(await pending.locator('li').allInnerTexts()).toEqual([expect.stringMatching(/^Turn off the authenticator app\n+Takes effect on .+ · asked for /)]);

    // Email codes on: held too.
    const emailCard = page.locator('#card-email-codes');
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    await emailCard.getByRole('button', { name: 'Turn on email codes' }).click();
    await confirmWithApp(emailCard, 'Code from your authenticator app (or a backup code)', 'Confirm with the code');
    await poll(() => emailCard.locator(':scope > .msg').textContent()).toMatch(/^Turning on email codes takes effect on /);
    expect(await page.locator('#email2fa-status').textContent()).toMatch(/^Off\./);
    await poll(() => pending.locator('li').count()).toBe(2);
    expect(await pending.innerText()).toContain('this wasn\'t me');
    expect(await pending.locator('li strong').allInnerTexts()).toEqual(['Turn off the authenticator app', 'Turn on email codes']);
    await poll(() => page.locator('#events-list').textContent()).toContain('Change asked for, waiting: turn on email codes');
    await noProblems(page, 'account with pending changes');
    await shots(page, '18-pending-change');

    // The link of the second mail, opened elsewhere: "keep it" changes nothing.
    const mails = t.notices.sent.filter((n) => n.kind === 'factor-change-requested' && n.to.includes(user.email)) as Array<{ vetoLink: string }>;
    expect(mails).toHaveLength(2);
    const other = await openPage(browser, DESKTOP);
    await other.page.goto(`${t.url}/${vetoFragment(mails[1]!.vetoLink)}`);
    await other.page.getByRole('heading', { name: 'Cancel a change to your sign-in' }).waitFor();
    expect(other.page.url(), 'the token leaves the address bar').toBe(`${t.url}/`);
    await noProblems(other.page, 'veto question');
    await other.page.getByRole('button', { name: 'It was me: keep the change' }).click();
    await other.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await t.request('GET', '/v1/me', { token: user.token })).body.pendingFactorChanges).toHaveLength(2);

    // The first mail's link: confirmed, it cancels both, signs out and says the account is locked.
    await other.page.goto(`${t.url}/${vetoFragment(mails[0]!.vetoLink)}`);
    await other.page.getByRole('button', { name: 'Cancel the change and lock my account' }).click();
    await other.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await other.page.locator('#notice').textContent()).toMatch(/^The change is cancelled\. Every session of your account is signed out and the account is locked/);
    await noProblems(other.page, 'after the veto');
    expect((await t.request('GET', '/v1/me', { token: user.token })).status).toBe(401);

    // Signing in says why it is refused.
    const form = other.page.locator('#view-sign-in');
    await form.getByLabel('Email or username').fill(user.email);
    await form.getByLabel('Password', { exact: true }).fill(user.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => form.locator('.msg').textContent()).toMatch(/^This account is locked: a change to its sign-in was cancelled/);

    // The same link again: used.
    await other.page.goto(`${t.url}/${vetoFragment(mails[0]!.vetoLink)}`);
    await other.page.getByRole('button', { name: 'Cancel the change and lock my account' }).click();
    await poll(() => other.page.locator('#notice').textContent()).toBe('That link is invalid, expired or already used. Nothing was cancelled.');
    await other.close();
    await close();
  });
});
