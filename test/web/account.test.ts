/**
 * The account page as people use it (issue 20), in Chromium at 1280×800 and 390×844: changing the password,
 * the "Forgot password?" journey, errors shown where the eye is, focus after each action, lockout told at the
 * password step. axe-core checks every view and panel reached; screenshots of the new screens go to
 * .tmp/screenshots/ (with UPDATE_SCREENSHOTS=1, to docs/screenshots/).
 */
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { PHONE, SHOTS, axeViolations, openPage, signedInPage as openSignedIn, browserSuite } from '../helpers/browser.ts';
import { uniqueEmail } from '../helpers/db.ts';
import type { TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';

const DESKTOP = { width: 1280, height: 800 };
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a new and longer passphrase';

/** Polls for what appears after a request: generous, the machine may be slow (argon2 on a loaded CI runner). */
const poll = <T>(read: () => Promise<T> | T, options: { message?: string; timeout?: number } = {}) => expect.poll(read, { timeout: 20_000, ...options });

/** Where focus is: an element's id or tag; "body" when it was lost. */
const FOCUSED = "(() => { const e = document.activeElement; return !e || e === document.body ? 'body' : e.id || e.tagName.toLowerCase(); })()";

describe('account page as people use it (browser)', () => {
  let t: TestServer;
  let browser: Browser;

  browserSuite((started) => ({ t, browser } = started));

  /** Both sizes of a screen: the page as it is at 1280×800, then at 390×844. */
  async function shots(page: Page, name: string): Promise<void> {
    const size = page.viewportSize()!;
    await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true, animations: 'disabled' });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true, animations: 'disabled' });
    await page.setViewportSize(size);
  }

  const noViolations = async (page: Page, state: string) => expect(await axeViolations(page), `axe-core, ${state}`).toEqual([]);

  async function signedInPage(token: string, viewport = DESKTOP) {
    const opened = await openSignedIn(browser, t.url, token, viewport);
    await poll(() => opened.page.locator('#sessions-list > li').count()).toBeGreaterThan(0);
    return opened;
  }

  /** A user with a password only, signed in through the API. */
  async function plainUser(label: string) {
    const email = uniqueEmail(label);
    expect((await t.request('POST', '/v1/users', { body: { email, password: PASSWORD } })).status).toBe(201);
    const session = await t.request('POST', '/v1/sessions', { body: { login: email, password: PASSWORD } });
    expect(session.status).toBe(201);
    return { email, token: session.body.token as string };
  }

  /** The error shown under a field: linked to it, the field marked invalid. */
  async function fieldError(field: Locator): Promise<string> {
    const id = await field.getAttribute('id');
    await poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect((await field.getAttribute('aria-describedby'))?.split(' ')).toContain(`${id}-error`);
    return (await field.page().locator(`#${id}-error`).textContent()) ?? '';
  }

  /** The element's box lies wholly inside the viewport. */
  async function inViewport(target: Locator): Promise<boolean> {
    const box = await target.boundingBox();
    const size = target.page().viewportSize()!;
    return !!box && box.y >= 0 && box.x >= 0 && box.y + box.height <= size.height && box.x + box.width <= size.width;
  }

  /** A user with an authenticator app, signed in a second time elsewhere (with a backup code). */
  async function signedInTwice(label: string) {
    const user = await enrolledUser(t, label);
    const elsewhere = await t.request('POST', '/v1/sessions/second-factor', {
      body: { transactionId: await startLogin(t, user.email, user.password), code: user.backupCodes[0] },
    });
    expect(elsewhere.status).toBe(201);
    return { user, elsewhere };
  }

  const focusLands = (page: Page) => poll(() => page.evaluate(FOCUSED)).not.toBe('body');

  it('changes the password with the current one and a fresh code from the app; a wrong current password is told at its field', { timeout: 120_000 }, async () => {
    const { user, elsewhere } = await signedInTwice('web-password');
    const { page, close } = await signedInPage(user.token);
    const card = page.locator('#card-password');
    await noViolations(page, 'account view');
    await shots(page, '11-account-password-card');

    // Past the step-up window of the sign-in, the policy table's change-password row asks for the factor first.
    t.clock.advance(601_000);
    await card.getByLabel('Current password').fill('not my password');
    await card.getByLabel('New password').fill(NEW_PASSWORD);
    await card.getByRole('button', { name: 'Change password' }).click();
    const code = card.getByLabel('Code from your authenticator app (or a backup code)');
    await code.waitFor();
    expect(await page.locator('#step-up-hint').textContent()).toBe('To change your password, first confirm it is you.');
    await noViolations(page, 'step-up panel in the password card');
    await shots(page, '12-password-step-up');
    t.clock.advance(30_000);
    await code.fill(authenticatorCode(user.secret, t.clock));
    await card.getByRole('button', { name: 'Confirm with the code' }).click();

    // The proof was right, the current password was not: the panel closes and the field says so.
    const current = card.getByLabel('Current password');
    expect(await fieldError(current)).toBe('That is not your current password.');
    expect(await page.locator('#step-up').isVisible()).toBe(false);
    expect(await page.evaluate(FOCUSED)).toBe('pw-current');
    await noViolations(page, 'password card with a field error');

    // Within the step-up window the right password goes through without asking again.
    await current.fill(user.password);
    expect(await current.getAttribute('aria-invalid'), 'typing clears the error').toBeNull();
    await card.getByRole('button', { name: 'Change password' }).click();
    await poll(() => card.locator(':scope > .msg').textContent()).toBe(
      'Your password is changed. Your other sessions were signed out and trusted devices forgotten.',
    );
    await focusLands(page);
    expect(await page.evaluate(FOCUSED)).toBe('h-password');
    expect(await current.inputValue(), 'the form is emptied').toBe('');

    expect((await t.request('GET', '/v1/me', { token: elsewhere.body.token })).status, 'the other session ended').toBe(401);
    expect((await t.request('GET', '/v1/me', { token: user.token })).status, 'this one lives on').toBe(200);
    expect((await t.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password } })).status).toBe(401);
    expect((await t.request('POST', '/v1/sessions', { body: { login: user.email, password: NEW_PASSWORD } })).status).toBe(202);
    await close();
  });

  it('refuses a new password outside the server’s rule next to the field, before asking anything', { timeout: 60_000 }, async () => {
    const { token } = await plainUser('web-password-rule');
    const { page, close } = await signedInPage(token, PHONE);
    const card = page.locator('#card-password');
    await poll(() => page.locator('#pw-new-hint').textContent()).toMatch(/^8 to 256 characters\. /);
    await card.getByLabel('Current password').fill(PASSWORD);
    await card.getByLabel('New password').fill('short');
    await card.getByRole('button', { name: 'Change password' }).click();
    const field = card.getByLabel('New password');
    expect(await fieldError(field)).toBe('Choose a password of 8 to 256 characters.');
    expect(await inViewport(page.locator('#pw-new-error'))).toBe(true);

    // A user with no second factor: the current password is the proof, no panel.
    await field.fill(NEW_PASSWORD);
    await card.getByRole('button', { name: 'Change password' }).click();
    await poll(() => card.locator(':scope > .msg').textContent()).toMatch(/^Your password is changed\./);
    await close();
  });

  it('resets a forgotten password from the mailed link, then signs in with it and the second factor', { timeout: 120_000 }, async () => {
    const user = await enrolledUser(t, 'web-reset');
    const { page, close } = await openPage(browser, DESKTOP);
    await page.goto(`${t.url}/`);
    const signIn = page.locator('#view-sign-in');
    await signIn.getByLabel('Email or username').fill(user.email);
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    const address = page.getByLabel('Email address of your account');
    expect(await address.inputValue(), 'the address typed at sign-in').toBe(user.email);
    await noViolations(page, 'forgot-password view');
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await poll(() => page.locator('#forgot-form > .msg').textContent()).toMatch(
      new RegExp(`^If an account uses ${user.email.replace(/[.+]/g, '\\$&')}, a link to choose a new password is on its way\\. It works for \\d+ (minutes|hours?)\\.$`),
    );
    await shots(page, '13-forgot-password');

    // The mail's link: the page at `#reset=<token>`; the token leaves the address bar at once.
    const link = t.notices.last('password-reset', user.email).link;
    expect(link.startsWith(`${t.url}/#reset=`)).toBe(true);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(page.url()).toBe(`${t.url}/`);
    expect(await page.evaluate(FOCUSED)).toBe('rp-password');
    await poll(() => page.locator('#rp-password-hint').textContent()).toMatch(/^8 to 256 characters\. /);
    const chosen = page.locator('#view-reset').getByRole('textbox', { name: 'New password', exact: true });
    await chosen.fill('short');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    expect(await fieldError(chosen)).toBe('Choose a password of 8 to 256 characters.');
    await noViolations(page, 'reset view with a field error');
    await shots(page, '14-choose-new-password');
    await chosen.fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await poll(() => page.locator('#notice').textContent()).toBe(
      'Your password is changed and every session was signed out. Sign in with the new password.',
    );
    expect((await t.request('GET', '/v1/me', { token: user.token })).status, 'sessions ended').toBe(401);

    // Signing in: the new password, then the second factor as before.
    await signIn.getByLabel('Email or username').fill(user.email);
    await signIn.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    t.clock.advance(30_000);
    await page.locator('#sf-code').fill(authenticatorCode(user.secret, t.clock));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();

    // The link works once: followed again, the page sends the user to ask for a new one.
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await chosen.fill('yet another passphrase');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await poll(() => page.locator('#notice').textContent()).toMatch(/invalid, expired or already used/);
    await close();
  });

  it('shows a wrong setup code next to its field, inside the viewport, at 1280×800 and at 390×844', { timeout: 90_000 }, async () => {
    const { token } = await plainUser('web-setup-error');
    const { page, close } = await signedInPage(token);
    const card = page.locator('#card-totp');
    await card.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    const field = card.getByLabel('Enter the 6-digit code the app shows');
    for (const size of [DESKTOP, PHONE]) {
      await page.setViewportSize(size);
      await page.evaluate('window.scrollTo(0, 0)');
      await field.fill('000000');
      await card.getByRole('button', { name: 'Confirm' }).click();
      expect(await fieldError(field)).toBe('That code is not valid.');
      await poll(() => inViewport(page.locator('#totp-confirm-code-error')), { message: `the error is in view at ${size.width}×${size.height}` }).toBe(true);
      expect(await inViewport(field)).toBe(true);
      expect(await page.evaluate(FOCUSED)).toBe('totp-confirm-code');
    }
    await noViolations(page, 'setup with a wrong code');
    await page.setViewportSize(DESKTOP);
    await shots(page, '15-setup-code-error');
    await close();
  });

  it('keeps focus on something meaningful after each action', { timeout: 150_000 }, async () => {
    const { email, token } = await plainUser('web-focus');
    const link = new URL(t.notices.last('verify-email', email).link);
    expect((await t.request('POST', '/v1/email-verification', { body: { token: link.searchParams.get('token') } })).status).toBe(200);
    const elsewhere = await t.request('POST', '/v1/sessions', { body: { login: email, password: PASSWORD }, headers: { 'user-agent': 'curl/8.5.0' } });
    expect(elsewhere.status).toBe(201);
    const { page, close } = await signedInPage(token);
    const totpCard = page.locator('#card-totp');
    const emailCard = page.locator('#card-email-codes');

    // Set up the app; then "I have saved them".
    await totpCard.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    await totpCard.getByLabel('Enter the 6-digit code the app shows').fill(authenticatorCode(secret, t.clock));
    await totpCard.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    await noViolations(page, 'backup codes panel');
    await totpCard.getByRole('button', { name: 'I have saved them' }).click();
    await focusLands(page);
    expect(await page.evaluate(FOCUSED)).toBe('h-totp');

    /** Answers the step-up panel with a fresh app code, when the server asks for one. */
    const confirmWithApp = async (card: Locator, button: string) => {
      const field = page.locator('#step-up-code');
      await field.waitFor();
      await noViolations(page, `step-up panel for "${button}"`);
      t.clock.advance(30_000);
      await field.fill(authenticatorCode(secret, t.clock));
      await card.getByRole('button', { name: button }).last().click();
    };

    // Email codes on (the panel asks for the app this session did not sign in with).
    await emailCard.getByRole('button', { name: 'Turn on email codes' }).click();
    await confirmWithApp(emailCard, 'Confirm with the code');
    await poll(() => page.locator('#email2fa-status').textContent()).toMatch(/^On\./);
    await focusLands(page);
    expect(await page.locator('#status-summary').textContent()).toBe('Two-step verification: on — authenticator app, email codes.');

    // Revoking the other session: its row and button are gone, focus is on the card.
    const sessions = page.locator('#sessions-list > li');
    await poll(() => sessions.count()).toBe(2);
    await page.getByRole('button', { name: /^Revoke the session of curl\/8\.5\.0/ }).click();
    await poll(() => sessions.count()).toBe(1);
    await focusLands(page);
    expect(await page.evaluate(FOCUSED)).toBe('h-sessions');

    // Email codes off, then the app off: each weakens the account, so each asks for a code (past the window).
    // Each first says what it ends (other sessions, trusted devices) in a confirmation.
    const turnOffs: Array<[Locator, string, string, string, string]> = [
      [emailCard, 'Turn off email codes', 'Turn off email codes', '#email2fa-status', 'h-email2fa'],
      [totpCard, 'Turn off', 'Turn off the app', '#totp-status', 'h-totp'],
    ];
    for (const [card, button, confirmButton, status, heading] of turnOffs) {
      t.clock.advance(601_000);
      await card.getByRole('button', { name: button }).click();
      await page.locator('#confirm').waitFor();
      expect(await page.evaluate(FOCUSED)).toBe('h-confirm');
      expect(await page.locator('#confirm-text').textContent()).toMatch(/Your other sessions will be signed out, and trusted devices forgotten/);
      await noViolations(page, `confirmation before "${button}"`);
      if (heading === 'h-totp') await shots(page, '17-confirm-consequences');
      await card.getByRole('button', { name: confirmButton, exact: true }).click();
      await confirmWithApp(card, button);
      await poll(() => page.locator(status).textContent()).toMatch(/^Off\./);
      await focusLands(page);
      expect(await page.evaluate(FOCUSED)).toBe(heading);
    }
    expect(await page.locator('#status-summary').textContent()).toBe('Two-step verification: off — signing in asks for your password only.');
    await close();
  });

  it('signs out all other sessions after saying what it ends and asking for the factor', { timeout: 90_000 }, async () => {
    const { user, elsewhere } = await signedInTwice('web-others');
    const { page, close } = await signedInPage(user.token);
    const card = page.locator('#card-sessions');
    await poll(() => page.locator('#sessions-list > li').count()).toBe(2);
    t.clock.advance(601_000);
    await card.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await page.getByRole('heading', { name: 'Sign out all other sessions?' }).waitFor();
    await card.getByRole('button', { name: 'Sign out the others' }).click();
    const code = card.getByLabel('Code from your authenticator app (or a backup code)');
    await code.waitFor();
    await noViolations(page, 'step-up panel in the sessions card');
    t.clock.advance(30_000);
    await code.fill(authenticatorCode(user.secret, t.clock));
    await card.getByRole('button', { name: 'Confirm with the code' }).click();
    await poll(() => card.locator(':scope > .msg').textContent()).toBe('Your other sessions are signed out and trusted devices forgotten.');
    await poll(() => page.locator('#sessions-list > li').count()).toBe(1);
    await focusLands(page);
    expect(await card.getByRole('button', { name: 'Sign out all other sessions' }).isVisible(), 'no other session left').toBe(false);
    expect((await t.request('GET', '/v1/me', { token: elsewhere.body.token })).status).toBe(401);
    expect((await t.request('GET', '/v1/me', { token: user.token })).status).toBe(200);
    await close();
  });

  it('does not claim a sign-out the server never heard of (offline)', { timeout: 60_000 }, async () => {
    const { token } = await plainUser('web-offline');
    const { context, page } = await signedInPage(token);
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await poll(() => page.locator('#notice').textContent()).toMatch(/^This tab forgot your session, but the server could not be told: it stays valid until it expires\./);
    expect(await page.evaluate("sessionStorage.getItem('twofold.session')")).toBeNull();
    expect((await t.request('GET', '/v1/me', { token })).status, 'the session lives on, as the page says').toBe(200);
    await context.close(); // (the failed request is in the console by design: not a page error)
  });

  it('tells the lock at the password step, and returns to sign-in when a sign-in has used up its attempts', { timeout: 120_000 }, async () => {
    const user = await enrolledUser(t, 'web-used-up');
    const { page, close } = await openPage(browser, PHONE);
    await page.goto(`${t.url}/`);
    const signIn = page.locator('#view-sign-in');
    const typePassword = async () => {
      await signIn.getByLabel('Email or username').fill(user.email);
      await signIn.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    };

    // Five wrong codes close this sign-in: the page goes back to the password step and says why.
    await typePassword();
    const code = page.locator('#sf-code');
    for (let left = 4; left >= 1; left -= 1) {
      await code.fill('000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      expect(await fieldError(code)).toBe(`That code is not valid. ${left} attempt${left === 1 ? '' : 's'} left.`);
    }
    await noViolations(page, 'second step with a wrong code');
    await code.fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await poll(() => page.locator('#notice').textContent()).toBe('Too many failed checks: that sign-in is closed. Please sign in again.');
    expect(await signIn.getByLabel('Email or username').inputValue(), 'the login is kept').toBe(user.email);

    // Five more (another sign-in, through the API) pause the account: the password step says so, with the time.
    const transactionId = await startLogin(t, user.email, user.password);
    for (let i = 0; i < 5; i += 1) expect((await verify(t, transactionId, '000000')).status).toBe(401);
    await signIn.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => page.locator('#sign-in-form > .msg').textContent()).toMatch(
      /^Too many wrong codes: sign-in checks for this account are paused\. Try again after .+ \(in about 1[45] minutes\)\.$/,
    );
    expect(await page.locator('#view-second-factor').isVisible()).toBe(false);
    await noViolations(page, 'sign-in with the lock told');
    await shots(page, '16-locked-at-password');
    await close();
  });
});
