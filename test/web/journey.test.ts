/**
 * The account page at `/`, proven in a real browser (Debian's Chromium driven by playwright-core):
 * sign up, verify the email, enrol an authenticator, sign in with each second factor, turn factors off.
 * Each step leaves a screenshot in .tmp/screenshots/ (with UPDATE_SCREENSHOTS=1, in docs/screenshots/, which the
 * README shows).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PAGE_SECURITY_HEADERS, WEB_DIST, webPage } from '../../src/api/http/web-page.ts';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { PHONE, ROOT, SHOTS, accessibilityProblems, axeViolations, openPage, signedInPage as openSignedIn, browserSuite } from '../helpers/browser.ts';
import { authenticatorCode } from '../helpers/totp.ts';

const DESKTOP = { width: 1280, height: 860 };
const PASSWORD = 'correct horse battery staple';

const NO_SIDEWAYS_SCROLL = 'document.documentElement.scrollWidth <= document.documentElement.clientWidth';
const STORED_TOKEN = "sessionStorage.getItem('twofold.session')";

describe('account page (browser)', () => {
  let t: TestServer;
  let browser: Browser;

  browserSuite((started) => ({ t, browser } = started));

  const freshPage = (viewport = DESKTOP, extra: Parameters<Browser['newContext']>[0] = {}) => openPage(browser, viewport, extra);

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, name), fullPage: true, animations: 'disabled' });

  const signedInPage = (server: TestServer, token: string) => openSignedIn(browser, server.url, token, DESKTOP);

  /** Verifies the address of a registered user and turns email codes on, through the API. */
  async function withEmailCodes(server: TestServer, email: string, token: string) {
    const link = new URL(server.notices.last('verify-email', email).link);
    expect((await server.request('POST', '/v1/email-verification', { body: { token: link.searchParams.get('token') } })).status).toBe(200);
    expect((await server.request('POST', '/v1/me/email-2fa', { token })).status).toBe(200);
  }

  it('signs up, verifies, enrols TOTP, signs in with each factor and turns the factors off', { timeout: 120_000 }, async () => {
    const { context, page, close } = await freshPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    const email = uniqueEmail('web');
    const view = (name: string) => page.locator(`#view-${name}`);
    const totpCard = page.locator('section.card', { has: page.getByRole('heading', { name: 'Authenticator app' }) });
    const emailCodesCard = page.locator('section.card', { has: page.getByRole('heading', { name: 'Email codes' }) });

    // --- sign up
    await page.goto(`${t.url}/`);
    await expect.poll(() => view('sign-in').isVisible()).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create an account' }).click();
    // The password rule comes from the server (GET /v1/policy), not from the page.
    await expect.poll(() => page.locator('#su-password-hint').textContent()).toMatch(/^8 to 256 characters\. /);
    await view('sign-up').getByLabel('Email address').fill(email);
    await view('sign-up').getByLabel('Password', { exact: true }).fill(PASSWORD);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, '01-sign-up.png');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await expect.poll(() => page.locator('#email-badge').textContent()).toBe('not verified');
    expect(await page.locator('#notice').textContent()).toContain(`We sent a link to ${email}`);
    expect(await accessibilityProblems(page), 'the account view').toEqual([]);
    expect(await page.evaluate(STORED_TOKEN)).toBeTruthy();
    await shot(page, '02-signed-up.png');

    // --- verify the address with the mailed link, then back to the page, still signed in (this tab)
    const link = t.notices.last('verify-email', email).link;
    expect(new URL(link).pathname).toBe('/v1/email-verification/confirm');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Email address verified' }).waitFor();
    expect(await axeViolations(page), 'axe-core, the link page').toEqual([]);
    await shot(page, '02b-link-verified.png');
    // Meanwhile the same account signs in elsewhere (a script): the page lists it and revokes it.
    const elsewhere = await t.request('POST', '/v1/sessions', { body: { login: email, password: PASSWORD }, headers: { 'user-agent': 'curl/8.5.0' } });
    expect(elsewhere.status).toBe(201);
    await page.getByRole('link', { name: 'Go to your account' }).click(); // back to the page, still signed in (this tab)
    await page.waitForURL(`${t.url}/`);
    await expect.poll(() => page.locator('#email-badge').textContent()).toBe('verified');
    expect(await page.locator('#email-unverified').isVisible()).toBe(false);
    const sessions = page.locator('#sessions-list > li');
    await expect.poll(() => sessions.count()).toBe(2);
    const other = sessions.filter({ hasText: 'curl/8.5.0' });
    expect(await other.textContent()).toContain('127.0.0.1');
    await other.getByRole('button', { name: /^Revoke the session of curl\/8\.5\.0/ }).click();
    await expect.poll(() => sessions.count()).toBe(1);
    expect(await sessions.textContent()).toContain('this browser');
    expect((await t.request('GET', '/v1/me', { token: elsewhere.body.token })).status).toBe(401);

    // --- enrol an authenticator: QR from our server, the key in groups of four, a code, backup codes
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    // (Polled from here: waitForFunction would need eval, which the page's CSP rightly refuses.)
    await expect.poll(() => page.evaluate("(() => { const img = document.getElementById('totp-qr'); return img.complete && img.naturalWidth > 0; })()")).toBe(true);
    expect(await page.locator('#totp-qr').getAttribute('src')).toMatch(/^\.\/qr\/[^/]+\.png$/);
    const grouped = (await page.locator('#totp-secret').textContent()) ?? '';
    expect(grouped).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    const secret = grouped.replace(/\s/g, '');
    await totpCard.getByRole('button', { name: 'Copy key' }).click();
    await expect.poll(() => totpCard.locator(':scope > .msg').textContent()).toBe('Key copied.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, '03-enrol-totp.png');
    await totpCard.getByLabel('Enter the 6-digit code the app shows').fill(authenticatorCode(secret, t.clock));
    await totpCard.getByRole('button', { name: 'Confirm' }).click();

    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    const backupCodes = await page.locator('#backup-list li').allTextContents();
    expect(backupCodes).toHaveLength(12);
    for (const code of backupCodes) expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    expect(await page.locator('#totp-secret').textContent(), 'the key leaves the page once confirmed').toBe('');
    await totpCard.getByRole('button', { name: 'Copy codes' }).click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(backupCodes.join('\n'));
    const [download] = await Promise.all([page.waitForEvent('download'), totpCard.getByRole('button', { name: 'Download .txt' }).click()]);
    expect(download.suggestedFilename()).toBe('twofold-backup-codes.txt');
    expect(download.url()).toMatch(/^blob:/);
    const saved = readFileSync(await download.path(), 'utf8');
    for (const code of backupCodes) expect(saved).toContain(code);
    // Print: the browser's dialog (stubbed here) gets a page with the codes and whose they are, and nothing else.
    await page.evaluate("window.print = () => { window.printed = (window.printed || 0) + 1; }");
    await totpCard.getByRole('button', { name: 'Print' }).click();
    expect(await page.evaluate('window.printed')).toBe(1);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#backup-list').isVisible()).toBe(true);
    expect(await page.locator('#backup-print-note').textContent()).toContain(`twofold backup codes for ${email}`);
    expect(await page.locator('#h-email2fa').isVisible(), 'other cards stay off the paper').toBe(false);
    expect(await totpCard.getByRole('button', { name: 'Print' }).isVisible(), 'and so do the buttons').toBe(false);
    await shot(page, '04b-backup-codes-print.png');
    await page.evaluate("window.dispatchEvent(new Event('afterprint'))");
    expect(await page.locator('#h-email2fa').isVisible(), 'a later print of the page is whole again').toBe(true);
    await page.emulateMedia({ media: 'screen' });
    await shot(page, '04-backup-codes.png');
    await totpCard.getByRole('button', { name: 'I have saved them' }).click();
    await expect.poll(() => page.locator('#totp-status').textContent()).toBe('On. 12 backup codes left.');
    expect(await page.locator('#backup-list li').count(), 'the codes leave the page once saved').toBe(0);

    // --- email codes on too, so signing in offers a choice. Adding a factor needs a proof of the one the account
    // has (this session signed up before it existed): the panel asks for a code from the app.
    await emailCodesCard.getByRole('button', { name: 'Turn on email codes' }).click();
    const onCode = emailCodesCard.getByLabel('Code from your authenticator app (or a backup code)');
    await onCode.waitFor();
    t.clock.advance(30_000);
    await onCode.fill(authenticatorCode(secret, t.clock));
    await emailCodesCard.getByRole('button', { name: 'Confirm with the code' }).click();
    await expect.poll(() => page.locator('#email2fa-status').textContent()).toMatch(/^On\./);
    await expect.poll(() => page.locator('#events-list').textContent()).toContain('Authenticator app turned on');
    expect(await page.locator('#events-list').textContent()).toContain('Email codes turned on');
    expect(await page.locator('#sessions-list').textContent()).toContain('this browser');
    expect(page.url(), 'nothing in the address bar').toBe(`${t.url}/`);
    await shot(page, '05-account.png');

    // The account view fits a phone without sideways scrolling.
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(NO_SIDEWAYS_SCROLL)).toBe(true);
    await page.setViewportSize(DESKTOP);

    const signOut = async () => {
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await page.evaluate(STORED_TOKEN)).toBeNull();
    };
    /** Signs in with the keyboard only: type, Tab, type, Enter. */
    const signInWithPassword = async () => {
      await view('sign-in').getByLabel('Email or username').focus();
      await page.keyboard.press('ControlOrMeta+A'); // the page keeps the last login: type over it
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    };
    const signedIn = async () => {
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      expect(await page.evaluate(STORED_TOKEN)).toBeTruthy();
    };

    // --- sign in with password + authenticator code (typed, Enter)
    await signOut();
    await signInWithPassword();
    expect(await page.getByRole('group', { name: 'Verify with' }).isVisible()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Authenticator app' }).isChecked()).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, '06-second-factor.png');
    t.clock.advance(30_000);
    await page.keyboard.type(authenticatorCode(secret, t.clock));
    await page.keyboard.press('Enter');
    await signedIn();

    // --- sign in with an emailed code
    await signOut();
    await signInWithPassword();
    await page.getByRole('radio', { name: 'Email code' }).check();
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect.poll(() => page.locator('#sf-form > .msg').textContent()).toContain('A code is on its way');
    await page.getByLabel('Code from the email').fill(t.notices.last('email-code', email).code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedIn();

    // --- sign in with a backup code
    await signOut();
    await signInWithPassword();
    await page.getByRole('radio', { name: 'Backup code' }).check();
    await page.locator('#sf-code').fill(backupCodes[0]!);
    await shot(page, '07-sign-in-backup-code.png');
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedIn();
    await expect.poll(() => page.locator('#totp-status').textContent()).toBe('On. 11 backup codes left.');
    // The event list says how: a used backup code is something the owner should be able to notice.
    await expect.poll(() => page.locator('#events-list li').first().textContent()).toContain('Signed in with a backup code');

    // --- email codes off: past the step-up window the server asks for a code again (here from the authenticator)
    t.clock.advance(601_000);
    await emailCodesCard.getByRole('button', { name: 'Turn off email codes' }).click();
    // First what it ends, said before anything changes; then the proof.
    expect(await page.locator('#confirm-text').textContent()).toContain('Your other sessions will be signed out, and trusted devices forgotten');
    await emailCodesCard.getByRole('button', { name: 'Turn off email codes' }).click();
    const email2faCode = emailCodesCard.getByLabel('To turn email codes off, enter a code from your authenticator app');
    await email2faCode.waitFor();
    t.clock.advance(30_000);
    await email2faCode.fill(authenticatorCode(secret, t.clock));
    await emailCodesCard.getByRole('button', { name: 'Turn off email codes' }).click();
    await expect.poll(() => emailCodesCard.locator(':scope > .msg').textContent()).toBe('Email codes are off.');
    expect(await page.locator('#email2fa-status').textContent()).toMatch(/^Off\./);

    // --- authenticator off, with a current code (again past the window of the code just given)
    t.clock.advance(601_000);
    await totpCard.getByRole('button', { name: 'Turn off' }).click();
    await page.getByRole('heading', { name: 'Turn off the authenticator app?' }).waitFor();
    await totpCard.getByRole('button', { name: 'Turn off the app' }).click();
    const totpCode = totpCard.getByLabel('To turn the app off, enter a code from it');
    await totpCode.waitFor();
    t.clock.advance(30_000);
    await totpCode.fill(authenticatorCode(secret, t.clock));
    await totpCard.getByRole('button', { name: 'Turn off' }).click();
    await expect.poll(() => page.locator('#totp-status').textContent()).toMatch(/^Off\./);
    expect(await totpCard.getByRole('button', { name: 'Set up an authenticator app' }).isVisible()).toBe(true);
    await expect.poll(() => page.locator('#events-list').textContent()).toContain('Authenticator app turned off');
    await shot(page, '08-factors-off.png');

    // The server agrees: this account signs in with a password alone again.
    const direct = await t.request('POST', '/v1/sessions', { body: { login: email, password: PASSWORD } });
    expect(direct.status).toBe(201);
    expect(page.url()).toBe(`${t.url}/`);
    await close();
  });

  it('asks for an emailed code in the card that wants it, saying how long the code lives as the server is configured', { timeout: 60_000 }, async () => {
    const server = await startTestServer({ EMAIL_CODE_TTL_SECONDS: '300' });
    try {
      const email = uniqueEmail('web-step-up');
      expect((await server.request('POST', '/v1/users', { body: { email, password: PASSWORD } })).status).toBe(201);
      const { token } = (await server.request('POST', '/v1/sessions', { body: { login: email, password: PASSWORD } })).body;
      await withEmailCodes(server, email, token);
      const { page, close } = await signedInPage(server, token);
      const card = page.locator('#card-email-codes');
      const message = card.locator(':scope > .msg');
      const turnOff = card.getByRole('button', { name: 'Turn off email codes' });

      // Email codes are this account's only factor: the server mails a code and the panel opens in this card.
      await turnOff.click();
      await page.getByRole('heading', { name: 'Turn off email codes?' }).waitFor();
      await turnOff.click(); // the confirmation's button of the same name
      await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
      await expect.poll(() => message.textContent()).toBe('A code is on its way to your email address; it is valid for 5 minutes.');
      expect(await page.locator('#step-up-window').textContent()).toBe(
        'Confirming also lets this session change its sign-in methods for the next 10 minutes without asking again.',
      );
      expect(await page.getByRole('group', { name: 'Confirm with' }).isVisible(), 'one way to confirm: no choice').toBe(false);
      expect(await accessibilityProblems(page)).toEqual([]);
      await card.getByRole('button', { name: 'Cancel' }).click();
      expect(await page.locator('#step-up').isVisible()).toBe(false);
      expect(await turnOff.isVisible(), 'the card has its own button back').toBe(true);

      // Asked again, the code mailed a moment ago still counts; a wrong one is refused in the card.
      await turnOff.click();
      await turnOff.click();
      await expect.poll(() => message.textContent()).toBe('The code we emailed you a moment ago is still valid: enter it.');
      const field = card.getByLabel('To turn email codes off, enter the code we just emailed you');
      await field.fill('000000');
      await turnOff.click();
      await expect.poll(() => page.locator('#step-up-code-error').textContent(), { timeout: 20_000 }).toBe('That code is not valid.');
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      await field.fill(server.notices.last('email-code', email).code);
      await turnOff.click();
      await expect.poll(() => message.textContent()).toBe('Email codes are off.');
      expect(await page.locator('#email2fa-status').textContent()).toMatch(/^Off\./);
      expect((await server.request('GET', '/v1/me', { token })).body.user.emailCodesEnabled).toBe(false);
      await close();
    } finally {
      await server.close();
    }
  });

  it('makes new backup codes with a code from the app, and lets a user with two factors choose the emailed one', { timeout: 60_000 }, async () => {
    const user = await enrolledUser(t, 'web-two-factors');
    await withEmailCodes(t, user.email, user.token);
    const { page, close } = await signedInPage(t, user.token);
    const totpCard = page.locator('#card-totp');
    const emailCodesCard = page.locator('#card-email-codes');

    // New backup codes need a recent proof: past the step-up window of the registration's code, the panel asks.
    t.clock.advance(601_000);
    await totpCard.getByRole('button', { name: 'New backup codes' }).click();
    const appCode = totpCard.getByLabel('To make new backup codes, enter a code from your app');
    await appCode.waitFor();
    expect(await page.locator('#step-up-hint').textContent()).toBe('The 6 digits the app shows now. Your old backup codes stop working.');
    expect(await page.locator('#step-up-window').isVisible()).toBe(true);
    t.clock.advance(30_000);
    await appCode.fill(authenticatorCode(user.secret, t.clock));
    await totpCard.getByRole('button', { name: 'Make new backup codes' }).click();
    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    const fresh = await page.locator('#backup-list li').allTextContents();
    expect(fresh).toHaveLength(12);
    expect(fresh).not.toContain(user.backupCodes[0]);
    await expect.poll(() => totpCard.locator(':scope > .msg').textContent()).toBe('New backup codes are ready; the old ones no longer work.');
    await totpCard.getByRole('button', { name: 'I have saved them' }).click();

    // Turning email codes off (past the window again): the app is the server's first choice; the user picks the email.
    t.clock.advance(601_000);
    await emailCodesCard.getByRole('button', { name: 'Turn off email codes' }).click();
    await emailCodesCard.getByRole('button', { name: 'Turn off email codes' }).click();
    await emailCodesCard.getByLabel('To turn email codes off, enter a code from your authenticator app').waitFor();
    await emailCodesCard.getByRole('radio', { name: 'Email code' }).check();
    await emailCodesCard.getByLabel('Code from the email (press “Email me a code” first)').waitFor();
    await emailCodesCard.getByRole('button', { name: 'Email me a code' }).click();
    await expect.poll(() => emailCodesCard.locator(':scope > .msg').textContent()).toBe(
      'A code is on its way to your email address; it is valid for 10 minutes.',
    );
    await emailCodesCard.getByLabel('To turn email codes off, enter the code we just emailed you').fill(t.notices.last('email-code', user.email).code);
    await emailCodesCard.getByRole('button', { name: 'Turn off email codes' }).click();
    await expect.poll(() => emailCodesCard.locator(':scope > .msg').textContent()).toBe('Email codes are off.');
    await close();
  });

  it('fits a phone: the sign-in screen', async () => {
    const { page, close } = await freshPage(PHONE, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(NO_SIDEWAYS_SCROLL)).toBe(true);
    await shot(page, '09-sign-in-phone.png');
    await close();
  });

  it('says clearly when the account is locked after too many wrong codes', async () => {
    const user = await enrolledUser(t, 'web-locked');
    // Ten wrong codes (two sign-ins of five) pause the checks.
    for (let round = 0; round < 2; round += 1) {
      const transactionId = await startLogin(t, user.email, user.password);
      for (let i = 0; i < 5; i += 1) expect((await verify(t, transactionId, '000000')).status).toBe(401);
    }
    const { page, close } = await freshPage();
    await page.goto(`${t.url}/`);
    await page.locator('#view-sign-in').getByLabel('Email or username').fill(user.email);
    await page.locator('#view-sign-in').getByLabel('Password').fill(user.password);
    // The right password is told at once, rather than handed a second step no code could pass.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#sign-in-form > .msg').textContent()).toMatch(/^Too many wrong codes: sign-in checks for this account are paused\. Try again after .+ \(in about 1[45] minutes\)\.$/);
    expect(await page.locator('#sign-in-form > .msg').getAttribute('class')).toContain('error');
    await shot(page, '10-locked-out.png');
    await close();
  });

  it('verifies an address from #verify=<token> and drops the token from the address bar', async () => {
    const email = uniqueEmail('web-hash');
    expect((await t.request('POST', '/v1/users', { body: { email, password: PASSWORD } })).status).toBe(201);
    const token = new URL(t.notices.last('verify-email', email).link).searchParams.get('token');
    const { page, close } = await freshPage();
    await page.goto(`${t.url}/#verify=${token}`);
    await expect.poll(() => page.locator('#notice').textContent()).toBe('Your email address is verified.');
    expect(page.url()).toBe(`${t.url}/`);
    expect(await page.evaluate('location.hash')).toBe('');
    const session = await t.request('POST', '/v1/sessions', { body: { login: email, password: PASSWORD } });
    expect(session.body.user.emailVerified).toBe(true);
    await close();
  });

  it('serves the page with strict headers, hashed assets cached for a year, and the API unchanged', async () => {
    const page = await fetch(`${t.url}/`, { headers: { 'accept-encoding': 'identity' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) expect(page.headers.get(name), name).toBe(value);
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    const html = await page.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const assets = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css'))).toBe(true);

    let scriptBytes = 0;
    for (const asset of assets) {
      const response = await fetch(`${t.url}/${asset}`, { headers: { 'accept-encoding': 'br' } });
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-encoding')).toBe('br');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      if (asset.endsWith('.js')) scriptBytes += statSync(join(WEB_DIST, asset)).size;
    }
    // Passkeys and trusted devices brought the page from about 17 KB to about 28 KB; the WebAuthn ceremonies
    // (@simplewebauthn/browser, about 10 KB) are a chunk of their own, loaded on first use, not counted here. The
    // password card, the reset views, field errors, confirmations, passkey names and "sign out all other sessions"
    // (issue 20) brought it to about 38 KB (minified, before compression; about 11 KB with brotli); the veto window's
    // pending-changes card and "this wasn't me" view (issue 19) to about 42 KB.
    expect(scriptBytes, 'the page script stays small').toBeLessThan(45_000);

    // Only the built files are routes: other URLs keep their own answers (two segments are Backendless').
    const missing = await t.request('GET', '/assets/nothing.js');
    expect(missing.status).not.toBe(200);
    expect(missing.headers.get('content-security-policy')).toBeNull();
    expect((await t.request('GET', '/nothing-here')).body.error.code).toBe('not_found');
    const api = await t.request('GET', '/v1/me');
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe('not_authenticated');
    expect(api.headers.get('content-security-policy')).toBeNull();
    expect((await t.request('GET', '/healthz')).status).toBe(200);
  });

  it('answers 503 with what to do when the page is not built', async () => {
    const app = Fastify({ logger: false });
    await app.register(webPage, { root: join(ROOT, '.tmp', 'no-such-build') });
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('npm run build');
    expect(response.headers['content-security-policy']).toBe(PAGE_SECURITY_HEADERS['content-security-policy']);
    await app.close();
  });
});
