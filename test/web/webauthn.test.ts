/**
 * Passkeys and trusted devices on the account page, in a real browser (Debian's Chromium driven by
 * playwright-core) with the DevTools virtual authenticator standing in for a platform passkey: register a
 * passkey, sign in with it and "remember this device", skip the second step on the remembered browser,
 * forget it, then remove the passkey (confirmed with the passkey itself). For an account with an
 * authenticator app, a code confirms adding a passkey and removing it, and the browser's refusals (a key
 * already registered, a cancelled or timed-out request) come out as sentences.
 *
 * Browsers refuse WebAuthn on an IP address, so the server is named `localhost` (PUBLIC_URL, hence the
 * relying party id and origin) while it listens on 127.0.0.1.
 */
import { join } from 'node:path';
import { type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { enrolledUser } from '../helpers/accounts.ts';
import { uniqueEmail } from '../helpers/db.ts';
import type { TestServer } from '../helpers/server.ts';
import { ROOT, accessibilityProblems, axeViolations, browserSuite } from '../helpers/browser.ts';
import { authenticatorCode } from '../helpers/totp.ts';

const SHOTS = join(ROOT, '.tmp/screenshots');
const PASSWORD = 'correct horse battery staple';
const STORED_TOKEN = "sessionStorage.getItem('twofold.session')";


describe('passkeys and trusted devices on the account page (browser)', () => {
  let t: TestServer;
  let browser: Browser;

  browserSuite((started) => ({ t, browser } = started), {}, { publicHost: 'localhost' });

  /**
   * A browser context with the DevTools virtual authenticator (a platform passkey that answers at once, user
   * verified), a page, and the steps both tests share. `close()` also fails the test on any error the page logged.
   */
  async function browse(login: { email: string; password: string }) {
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'UTC' });
    const page: Page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('console', (message) => {
      // A CSP violation or a broken script shows here. Refused API calls (4xx) are part of the journey.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) failures.push(message.text());
    });
    const cdp: CDPSession = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    const view = (name: string) => page.locator(`#view-${name}`);
    const card = (heading: string) => page.locator('section.card', { has: page.getByRole('heading', { name: heading, exact: true }) });
    return {
      context,
      page,
      cdp,
      authenticatorId,
      view,
      keysCard: card('Passkeys and security keys'),
      devicesCard: card('Trusted devices'),
      keys: page.locator('#webauthn-list > li'),
      devices: page.locator('#devices-list > li'),
      credentialsInAuthenticator: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
      accountView: () => page.getByRole('heading', { name: 'Your account' }).waitFor(),
      shot: (name: string) => page.screenshot({ path: join(SHOTS, name), fullPage: true, animations: 'disabled' }),
      session: async () => (await page.evaluate(STORED_TOKEN)) as string,
      signOut: async () => {
        await page.getByRole('button', { name: 'Sign out', exact: true }).click();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        expect(await page.evaluate(STORED_TOKEN)).toBeNull();
      },
      signInWithPassword: async () => {
        await view('sign-in').getByLabel('Email or username').fill(login.email);
        await view('sign-in').getByLabel('Password').fill(login.password);
        await view('sign-in').getByRole('button', { name: 'Sign in' }).click();
      },
      close: async () => {
        expect(page.url(), 'nothing in the address bar').toBe(`${t.url}/`);
        await context.close();
        expect(failures, 'errors in the browser console').toEqual([]);
      },
    };
  }

  it('registers a passkey, signs in with it, remembers and forgets the browser, and removes the passkey', { timeout: 120_000 }, async () => {
    expect(new URL(t.url).hostname).toBe('localhost');
    const email = uniqueEmail('web-passkey');
    const b = await browse({ email, password: PASSWORD });
    const { page, cdp, authenticatorId, view, keysCard, devicesCard, keys, devices, accountView, shot, session, signOut, signInWithPassword } = b;

    const secondStep = async () => {
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      const secondFactor = view('second-factor');
      // This account has a passkey and no code factor: the page offers the passkey and no code field.
      expect(await secondFactor.getByRole('button', { name: 'Use a passkey or security key' }).isVisible()).toBe(true);
      expect(await secondFactor.locator('#sf-code').isVisible()).toBe(false);
      expect(await secondFactor.getByRole('checkbox', { name: 'Remember this device for 30 days' }).isChecked()).toBe(false);
      return secondFactor;
    };

    // --- sign up: no second factor yet
    await page.goto(`${t.url}/`);
    await view('sign-in').waitFor();
    await page.getByRole('button', { name: 'Create an account' }).click();
    await view('sign-up').getByLabel('Email address').fill(email);
    await view('sign-up').getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await accountView();
    await expect.poll(() => page.locator('#webauthn-status').textContent()).toMatch(/^None yet\./);
    await expect.poll(() => keys.count()).toBe(0);
    expect(await page.locator('#devices-empty').isVisible()).toBe(true);

    // --- a name is needed first, then the passkey is registered through the browser
    await keysCard.getByRole('button', { name: 'Add a passkey or security key' }).click();
    await expect.poll(() => page.locator('#webauthn-name-error').textContent()).toMatch(/^Give the new key a name/);
    expect(await keysCard.getByLabel('Name of a new passkey or security key').getAttribute('aria-invalid')).toBe('true');
    await keysCard.getByLabel('Name of a new passkey or security key').fill('Test laptop');
    await keysCard.getByRole('button', { name: 'Add a passkey or security key' }).click();
    await expect.poll(() => keysCard.locator(':scope > .msg').textContent()).toBe('“Test laptop” is added. You can use it the next time you sign in.');
    await expect.poll(() => keys.count()).toBe(1);
    expect(await keys.first().textContent()).toContain('Test laptop');
    expect(await keys.first().textContent()).toMatch(/never used/);
    expect(await page.locator('#webauthn-status').textContent()).toMatch(/^One key\./);
    const stored = await b.credentialsInAuthenticator();
    expect(stored, 'the authenticator holds the new passkey').toHaveLength(1);
    expect(stored[0]!.rpId).toBe('localhost');
    expect(stored[0]!.isResidentCredential).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot('webauthn-01-passkey-added.png');

    // --- sign in with password + passkey, remembering this browser
    await signOut();
    await signInWithPassword();
    const secondFactor = await secondStep();
    await secondFactor.getByRole('checkbox', { name: 'Remember this device for 30 days' }).check();
    await shot('webauthn-02-second-factor.png');
    await secondFactor.getByRole('button', { name: 'Use a passkey or security key' }).click();
    await accountView();
    expect(await session()).toBeTruthy();
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/^You are signed in\. This browser is remembered until /);
    await expect.poll(() => keys.first().textContent()).toMatch(/last used/);

    // The device token is an HttpOnly cookie for the sign-in route only: the page's script never sees it.
    const cookie = (await b.context.cookies(`${t.url}/v1/sessions`)).find((c) => c.name === 'twofold_device');
    expect(cookie, 'the twofold_device cookie').toBeDefined();
    expect(cookie!.httpOnly).toBe(true);
    expect(cookie!.sameSite).toBe('Strict');
    expect(cookie!.path).toBe('/v1/sessions');
    expect(await page.evaluate('document.cookie')).not.toContain('twofold_device');

    // --- the trusted device is listed
    await expect.poll(() => devices.count()).toBe(1);
    expect(await page.locator('#devices-empty').isVisible()).toBe(false);
    expect(await devices.first().textContent()).toMatch(/remembered .+ · until /);
    await shot('webauthn-03-trusted-device.png');

    // --- the remembered browser signs in with the password alone
    await signOut();
    await signInWithPassword();
    await accountView();
    expect(await session()).toBeTruthy();
    await expect.poll(() => devices.count()).toBe(1);

    // --- forget it: the next sign-in asks for the second step again
    await devicesCard.getByRole('button', { name: /^Forget / }).click();
    await expect.poll(() => devicesCard.locator(':scope > .msg').textContent()).toMatch(/is forgotten: signing in there asks for the second step again\.$/);
    await expect.poll(() => devices.count()).toBe(0);
    expect(await page.locator('#devices-empty').isVisible()).toBe(true);
    await signOut();
    await signInWithPassword();
    const again = await secondStep();

    // A passkey request that fails in the browser (here: the authenticator no longer holds the key, which
    // the browser reports as NotAllowedError, like a cancel or a timeout) gets a clear sentence.
    const saved = (await b.credentialsInAuthenticator())[0]!;
    await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
    await again.getByRole('button', { name: 'Use a passkey or security key' }).click();
    await expect.poll(() => page.locator('#sf-form > .msg').textContent(), { timeout: 20_000 }).toBe(
      'The passkey or security key request was cancelled or timed out. Nothing changed: try again when you are ready.',
    );
    expect(await page.locator('#sf-form > .msg').getAttribute('class')).toContain('error');
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: saved });
    await again.getByRole('button', { name: 'Use a passkey or security key' }).click();
    await accountView();
    expect(await page.locator('#notice').textContent()).toBe('You are signed in.');
    expect(await devices.count(), 'not remembered this time').toBe(0);

    // --- rename it; a second key may not take its name (letter case aside)
    await keysCard.getByRole('button', { name: /^Rename Test laptop, added / }).click();
    const newName = keysCard.getByLabel('New name for “Test laptop”');
    expect(await newName.inputValue()).toBe('Test laptop');
    expect(await axeViolations(page), 'axe-core, rename form').toEqual([]);
    await newName.fill('Work laptop');
    await keysCard.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(() => keysCard.locator(':scope > .msg').textContent(), { timeout: 20_000 }).toBe('Renamed to “Work laptop”.');
    expect(await keys.first().textContent()).toMatch(/^Work laptop synced|^Work laptop not synced/);
    expect(await keys.first().textContent()).toMatch(/added .+ · (last used .+|never used)/);
    await expect.poll(() => page.evaluate('document.activeElement.id'), { timeout: 20_000 }).toBe('h-webauthn');
    await keysCard.getByLabel('Name of a new passkey or security key').fill('work LAPTOP');
    await keysCard.getByRole('button', { name: 'Add a passkey or security key' }).click();
    await expect.poll(() => page.locator('#webauthn-name-error').textContent()).toBe('Another of your passkeys or security keys has this name. Choose another name.');
    expect(await b.credentialsInAuthenticator(), 'refused before the ceremony').toHaveLength(1);
    await keysCard.getByLabel('Name of a new passkey or security key').fill('');

    // --- remove the passkey: the consequences first, then the proof (the passkey itself, past the step-up window)
    t.clock.advance(601_000);
    await keysCard.getByRole('button', { name: /^Remove Work laptop/ }).click();
    await page.getByRole('heading', { name: 'Remove “Work laptop”?' }).waitFor();
    expect(await page.locator('#confirm-text').textContent()).toMatch(
      /^The one added .+, (last used .+|never used)\. It will no longer sign you in\. Your other sessions will be signed out, and trusted devices forgotten/,
    );
    expect(await axeViolations(page), 'axe-core, removal confirmation').toEqual([]);
    await shot('webauthn-03-confirm-consequences.png');
    await keysCard.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    expect(await page.locator('#step-up-hint').textContent()).toMatch(/^To remove “Work laptop” \(added .+\), confirm it is you\.$/);
    expect(await axeViolations(page), 'axe-core, step-up with a passkey').toEqual([]);
    expect(await page.locator('#step-up-form').isVisible(), 'no code factor to offer').toBe(false);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot('webauthn-04-confirm-removal.png');
    await keysCard.getByRole('button', { name: 'Use a passkey or security key' }).click();
    await expect.poll(() => keysCard.locator(':scope > .msg').textContent()).toBe('“Work laptop” is removed. Your other sessions were signed out and trusted devices forgotten.');
    await expect.poll(() => page.evaluate('document.activeElement.id'), { message: 'focus after removing a passkey', timeout: 20_000 }).toBe('h-webauthn');
    await expect.poll(() => keys.count()).toBe(0);
    expect(await page.locator('#webauthn-status').textContent()).toMatch(/^None yet\./);
    expect(await page.locator('#step-up').isVisible()).toBe(false);

    // The server agrees: no key left, and the password alone signs in again.
    const listed = await t.request('GET', '/v1/me/webauthn/credentials', { token: await session() });
    expect(listed.status).toBe(200);
    expect(listed.body.credentials).toEqual([]);
    const direct = await t.request('POST', '/v1/sessions', { body: { login: email, password: PASSWORD } });
    expect(direct.status).toBe(201);

    await b.close();
  });

  it('asks an account with an authenticator app for a code before adding a passkey, and removes it with a code', { timeout: 120_000 }, async () => {
    const user = await enrolledUser(t, 'web-passkey-totp');
    const b = await browse(user);
    const { page, view, keysCard, keys, accountView, shot, session, signOut, signInWithPassword } = b;
    const message = keysCard.locator(':scope > .msg');
    const proof = page.locator('#step-up');
    const code = (steps = 1) => {
      t.clock.advance(steps * 30_000); // a new step: each TOTP code is accepted once
      return authenticatorCode(user.secret, t.clock);
    };

    // --- sign in with password + authenticator code; later, the remember-for grace of that check is over
    await page.goto(`${t.url}/`);
    await signInWithPassword();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    expect(await view('second-factor').getByRole('button', { name: 'Use a passkey or security key' }).isVisible(), 'no passkey yet').toBe(false);
    await view('second-factor').getByLabel('Code from your authenticator app').fill(code());
    await view('second-factor').getByRole('button', { name: 'Verify' }).click();
    await accountView();
    t.clock.advance(31 * 60_000);

    // --- adding a passkey needs a fresh code first (a wrong one is refused), then the browser creates it
    await keysCard.getByLabel('Name of a new passkey or security key').fill('Phone');
    await keysCard.getByRole('button', { name: 'Add a passkey or security key' }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    expect(await page.locator('#step-up-hint').textContent()).toBe('To add a passkey or security key, first confirm it is you.');
    expect(await proof.getByRole('button', { name: 'Use a passkey or security key' }).isVisible(), 'no passkey to confirm with yet').toBe(false);
    expect(await keysCard.getByLabel('Name of a new passkey or security key').isVisible(), 'the add form waits').toBe(false);
    const proofCode = proof.getByLabel('Code from your authenticator app (or a backup code)');
    await proofCode.fill('000000');
    await proof.getByRole('button', { name: 'Confirm with the code' }).click();
    await expect.poll(() => page.locator('#step-up-code-error').textContent(), { timeout: 20_000 }).toBe('That code is not valid.');
    expect(await axeViolations(page), 'axe-core, step-up with a wrong code').toEqual([]);
    await shot('webauthn-05-confirm-with-code.png');
    await proofCode.fill(code());
    await proof.getByRole('button', { name: 'Confirm with the code' }).click();
    await expect.poll(() => message.textContent()).toBe('“Phone” is added. You can use it the next time you sign in.');
    expect(await proof.isVisible()).toBe(false);
    await expect.poll(() => keys.count()).toBe(1);
    expect(await b.credentialsInAuthenticator()).toHaveLength(1);

    // --- the same authenticator again: the browser refuses (the server listed it in excludeCredentials)
    await keysCard.getByLabel('Name of a new passkey or security key').fill('Phone again');
    await keysCard.getByRole('button', { name: 'Add a passkey or security key' }).click();
    await expect.poll(() => message.textContent()).toBe('This passkey or security key is already registered for your account.');
    await expect.poll(() => keys.count()).toBe(1);
    expect(await b.credentialsInAuthenticator()).toHaveLength(1);

    // --- signing in now offers the passkey and the code
    await signOut();
    await signInWithPassword();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    expect(await view('second-factor').getByRole('button', { name: 'Use a passkey or security key' }).isVisible()).toBe(true);
    expect(await view('second-factor').getByLabel('Code from your authenticator app').isVisible()).toBe(true);
    await view('second-factor').getByRole('button', { name: 'Use a passkey or security key' }).click();
    await accountView();

    // --- remove it, confirmed with a code from the authenticator app instead of the passkey (past the window)
    t.clock.advance(601_000);
    await keysCard.getByRole('button', { name: /^Remove Phone/ }).click();
    await keysCard.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    expect(await proof.getByRole('button', { name: 'Use a passkey or security key' }).isVisible()).toBe(true);
    await proofCode.fill(code());
    await proof.getByRole('button', { name: 'Confirm with the code' }).click();
    await expect.poll(() => message.textContent()).toMatch(/^“Phone” is removed\./);
    await expect.poll(() => keys.count()).toBe(0);
    const listed = await t.request('GET', '/v1/me/webauthn/credentials', { token: await session() });
    expect(listed.body.credentials).toEqual([]);
    await b.close();
  });
});
