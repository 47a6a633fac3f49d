/**
 * The account page: sign up, sign in with the second factor, manage factors, passkeys, trusted devices
 * and sessions. Every call goes through the typed client of the native API; the session token lives in
 * sessionStorage (this tab only) and nothing secret ever goes into a URL. The trusted-device token is an
 * HttpOnly cookie the server sets: this page never sees it.
 */
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { createClient, TwofoldClientError, type Success, type WebAuthnProof } from '../../src/client/index.ts';
import { button, byId, copyText, download, el, input, say, show } from './dom.ts';
import { clientName, device, eventName, explain, formatTime, groupsOfFour, isCode } from './text.ts';

type View = 'sign-in' | 'sign-up' | 'second-factor' | 'account';
type SignInAnswer = Success<'/v1/sessions', 'post'>;
type SecondFactorAnswer = Success<'/v1/sessions/second-factor', 'post'>;
type Method = 'totp' | 'email' | 'backup_code';
/** A fresh second factor for a protected operation: a code, or a passkey's answer to the server's challenge. */
type Proof = WebAuthnProof;
type CodeMethod = 'totp' | 'email';

const TOKEN_KEY = 'twofold.session';
const storage = {
  get: () => {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  set: (token: string | null) => {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // storage refused (private mode): the token stays in memory for this page
    }
  },
};

// The API answers next to the page: `/` here, or under a reverse proxy's prefix.
const client = createClient({ baseUrl: location.pathname.replace(/[^/]*$/, ''), token: storage.get() });

/** What the page knows beyond the last API answers. */
const state = {
  /** The sign-in waiting for its second factor (in memory only). */
  pending: null as null | { transactionId: string; methods: string[]; login: string },
  method: 'totp' as Method,
  email: '',
  verified: false,
  totpEnabled: false,
  /** Email codes on or off: the API reports it at sign-in (`methods`) and in the events; our own changes win. */
  emailCodes: null as boolean | null,
  emailCodesMethod: undefined as 'totp' | 'email' | undefined,
  totpSecret: '',
  totpAction: null as null | 'disable' | 'regenerate',
  backupCodes: [] as string[],
  /** How many passkeys and security keys the last list showed. */
  keyCount: 0,
  /** The protected operation waiting for a proof in the passkeys card, and the code method chosen. */
  proof: null as null | { attempt: (proof: Proof) => Promise<void>; method: CodeMethod },
};

// ---------------------------------------------------------------------------------------------- views

const notice = byId('notice');

function go(view: View, message = '', error = false): void {
  for (const name of ['sign-in', 'sign-up', 'second-factor', 'account'] as const) show(byId(`view-${name}`), name === view);
  show(button('sign-out'), view === 'account');
  notice.textContent = message;
  notice.classList.toggle('error', error && message !== '');
  document.title = `${byId(`h-${view}`).textContent} · twofold`;
  byId(`h-${view}`).focus();
}

/**
 * Runs an action for a card: clears its message, marks it busy, disables the button that started it,
 * and turns a failure into a sentence (or, for an ended session, back to the sign-in form).
 */
async function run(card: Element, trigger: HTMLButtonElement | null, action: () => Promise<void>): Promise<void> {
  say(card, '');
  card.setAttribute('aria-busy', 'true');
  if (trigger) trigger.disabled = true;
  try {
    await action();
  } catch (error) {
    if (isCode(error, 'not_authenticated', 'session_expired')) return signedOut('Your session has ended. Please sign in again.');
    say(card, explain(error), true);
    const code = trigger?.form?.querySelector<HTMLInputElement>('input[name=code]');
    if (code && !code.closest('[hidden]')) code.select();
  } finally {
    card.removeAttribute('aria-busy');
    if (trigger) trigger.disabled = false;
  }
}

function onSubmit(id: string, handler: () => Promise<void>): void {
  const form = byId<HTMLFormElement>(id);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(form.closest('.card') ?? form, form.querySelector('button[type=submit]'), handler);
  });
}

function onClick(id: string, handler: () => Promise<void> | void): void {
  const target = button(id);
  target.addEventListener('click', () => void run(target.closest('.card') ?? notice.parentElement!, target, async () => handler()));
}

const value = (id: string) => input(id).value.trim();
const required = (text: string, message: string) => {
  if (!text) throw new Error(message);
  return text;
};

for (const link of document.querySelectorAll<HTMLButtonElement>('[data-go]')) {
  link.addEventListener('click', () => {
    state.pending = null;
    go(link.dataset.go as View);
  });
}

// ---------------------------------------------------------------------------------- sign up, sign in

onSubmit('sign-up-form', async () => {
  const email = required(value('su-email'), 'Enter your email address.');
  const username = value('su-username');
  const password = input('su-password').value;
  if (password.length < 8 || password.length > 256) throw new Error('Choose a password of 8 to 256 characters.');
  await client.register({ email, password, ...(username ? { username } : {}) });
  const answer = await client.signIn(email, password);
  byId<HTMLFormElement>('sign-up-form').reset();
  await signedIn(answer, email, `Welcome! We sent a link to ${email}: open it to verify your address.`);
});

onSubmit('sign-in-form', async () => {
  const login = required(value('si-login'), 'Enter your email address or username.');
  const password = required(input('si-password').value, 'Enter your password.');
  const answer = await client.signIn(login, password);
  input('si-password').value = '';
  await signedIn(answer, login, 'You are signed in.');
});

async function signedIn(answer: SignInAnswer, login: string, message: string): Promise<void> {
  if ('token' in answer) {
    storage.set(answer.token);
    return enterAccount(message);
  }
  const methods: string[] = answer.methods;
  state.pending = { transactionId: answer.transactionId, methods, login };
  state.emailCodes = methods.includes('email');
  const offered = (['totp', 'email', 'backup_code'] as const).filter((m) => methods.includes(m));
  const withPasskey = methods.includes('webauthn');
  show(byId('sf-passkey'), withPasskey);
  show(byId('sf-or'), offered.length > 0);
  show(byId('sf-methods'), offered.length > 1);
  for (const m of ['totp', 'email', 'backup_code'] as const) show(radio(m).parentElement!, offered.includes(m));
  // With passkeys only, there is no code to type.
  for (const id of ['sf-hint', 'sf-code-part', 'sf-verify']) show(byId(id), offered.length > 0);
  input('sf-remember').checked = false;
  // The server says how long a device is remembered, or that it is not offered at all.
  const days = answer.rememberDeviceDays;
  for (const id of ['sf-remember-choice', 'sf-remember-hint']) show(byId(id), days > 0);
  byId('sf-remember-label').textContent = `Remember this device for ${days} day${days === 1 ? '' : 's'}`;
  if (withPasskey) warmWebAuthn();
  go('second-factor');
  choose(offered[0] ?? 'totp');
  if (offered.length > 0) input('sf-code').focus();
  else button('sf-webauthn').focus();
}

const radio = (m: Method) => input(m === 'backup_code' ? 'sf-m-backup' : `sf-m-${m}`);

function choose(method: Method): void {
  state.method = method;
  radio(method).checked = true;
  const emailFirst = state.pending?.methods[0] === 'email';
  const texts: Record<Method, [string, string]> = {
    totp: ['Code from your authenticator app', 'Open your authenticator app and enter the 6-digit code it shows for this account.'],
    email: [
      'Code from the email',
      emailFirst ? 'We emailed you a code; it is valid for 10 minutes.' : 'Press “Email me a code”, then enter the code from the message.',
    ],
    backup_code: ['Backup code', 'Enter one of the backup codes you saved when you set up the app. Each code works once.'],
  };
  byId('sf-code-label').textContent = texts[method][0];
  byId('sf-hint').textContent = texts[method][1];
  show(button('sf-send'), method === 'email');
  const code = input('sf-code');
  code.value = '';
  code.inputMode = method === 'backup_code' ? 'text' : 'numeric';
}

for (const m of ['totp', 'email', 'backup_code'] as const) radio(m).addEventListener('change', () => choose(m));

onClick('sf-send', async () => {
  if (!state.pending) return;
  await client.email2fa.sendCode(state.pending.login);
  say(byId('sf-form'), 'A code is on its way to your email address; it is valid for 10 minutes.');
  input('sf-code').focus();
});

/** Finishes the pending sign-in with a code or a passkey; an ended transaction goes back to the sign-in form. */
async function completeSignIn(finish: (transactionId: string, rememberDevice: boolean) => Promise<SecondFactorAnswer>): Promise<void> {
  const pending = state.pending;
  if (!pending) return go('sign-in', 'Please sign in again.');
  const rememberDevice = input('sf-remember').checked;
  let answer: SecondFactorAnswer;
  try {
    answer = await finish(pending.transactionId, rememberDevice);
  } catch (error) {
    if (isCode(error, 'transaction_expired', 'transaction_locked', 'transaction_not_found', 'transaction_used')) {
      state.pending = null;
      return go('sign-in', explain(error), true);
    }
    throw error;
  }
  state.pending = null;
  storage.set(client.token);
  // The server keeps the device token in an HttpOnly cookie (this page ignores answer.device.token).
  const until = answer.device?.expiresAt;
  await enterAccount(until ? `You are signed in. This browser is remembered until ${formatTime(until)}.` : 'You are signed in.');
}

onSubmit('sf-form', async () => {
  const code = required(value('sf-code'), 'Enter the code.');
  await completeSignIn((transactionId, rememberDevice) =>
    client.completeSecondFactor(transactionId, code, state.method === 'email' ? 'email' : undefined, { rememberDevice }),
  );
});

onClick('sf-webauthn', () =>
  completeSignIn(async (transactionId, rememberDevice) => {
    const optionsJSON = await client.webauthn.loginOptions(transactionId);
    const response = await passkey((webauthn) => webauthn.authenticate(optionsJSON));
    return client.webauthn.completeSignIn(transactionId, response, { rememberDevice });
  }),
);

type WebAuthnBrowser = typeof import('./webauthn.ts');
const loadWebAuthn = () => import('./webauthn.ts');
/** Loads the WebAuthn chunk ahead of a likely ceremony, so the click does not wait for it. */
const warmWebAuthn = () => void loadWebAuthn().catch(() => {});

/** Runs a WebAuthn ceremony of the browser (web/src/webauthn.ts, loaded on first use: most visits never need it). */
async function passkey<T>(ceremony: (webauthn: WebAuthnBrowser) => Promise<T>): Promise<T> {
  let webauthn: WebAuthnBrowser;
  try {
    webauthn = await loadWebAuthn();
  } catch {
    throw new Error('Part of this page could not be loaded (was the server updated?). Reload the page and try again.');
  }
  return ceremony(webauthn);
}

async function signOut(): Promise<void> {
  await client.signOut().catch(() => {});
  signedOut('You are signed out.');
}

function signedOut(message: string): void {
  client.setToken(null);
  storage.set(null);
  Object.assign(state, { pending: null, email: '', verified: false, emailCodes: null, totpSecret: '', totpAction: null, backupCodes: [], keyCount: 0 });
  resetTotpPanels();
  closeProof();
  input('webauthn-name').value = '';
  for (const id of ['sessions-list', 'events-list', 'email-address', 'who', 'webauthn-list', 'devices-list']) byId(id).replaceChildren();
  for (const card of document.querySelectorAll('#view-account .card')) say(card, '');
  go('sign-in', message);
}

button('sign-out').addEventListener('click', () => void signOut());

// ----------------------------------------------------------------------------------------- account

async function enterAccount(message: string): Promise<void> {
  go('account', message);
  await refresh();
  warmWebAuthn();
}

async function refresh(): Promise<void> {
  const [{ user }, totp, { sessions }, { events }, { credentials }, { devices }] = await Promise.all([
    client.me(),
    client.totp.status(),
    client.sessions(),
    client.events(100),
    client.webauthn.list(),
    client.devices.list(),
  ]);
  state.email = user.email;
  state.verified = user.emailVerified;
  state.totpEnabled = totp.enabled;
  byId('who').textContent = user.username ?? user.email;
  byId('email-address').textContent = user.email;
  const badge = byId('email-badge');
  badge.textContent = user.emailVerified ? 'verified' : 'not verified';
  badge.classList.toggle('warn', !user.emailVerified);
  show(byId('email-unverified'), !user.emailVerified);

  const left = totp.backupCodesRemaining;
  byId('totp-status').textContent = totp.enabled
    ? `On. ${left} backup code${left === 1 ? '' : 's'} left.${left <= 3 ? ' Make new ones soon.' : ''}`
    : 'Off. With an authenticator app, signing in also asks for a code from your phone.';
  totpButtons();

  // The latest change of email codes in the audit log, unless this page has seen a fresher answer.
  const change = events.find((e) => (e.kind === 'factor_enabled' || e.kind === 'factor_disabled') && e.details.factor === 'email');
  if (change) state.emailCodes = change.kind === 'factor_enabled';
  email2faButtons();
  showKeys(credentials);
  showDevices(devices);

  const sessionList = byId('sessions-list');
  sessionList.replaceChildren(
    ...sessions.map((s) => {
      const item = el('li');
      const text = el('div');
      const name = el('strong', device(s.userAgent));
      if (s.userAgent) name.title = s.userAgent;
      text.append(name);
      if (s.current) text.append(' ', el('span', 'this browser', 'badge'));
      text.append(el('br'), el('span', `${s.ip ?? 'unknown IP'} · ${clientName(s.client)} · last seen ${formatTime(s.lastSeenAt)}`, 'hint'));
      item.append(text);
      if (!s.current) {
        const revoke = el('button', 'Revoke', 'quiet');
        revoke.type = 'button';
        revoke.setAttribute('aria-label', `Revoke the session of ${device(s.userAgent)}, last seen ${formatTime(s.lastSeenAt)}`);
        revoke.addEventListener('click', () =>
          void run(byId('sessions-list').closest('.card')!, revoke, async () => {
            await client.revokeSession(s.id);
            await refresh();
            say(byId('sessions-list').closest('.card')!, 'The session is revoked.');
          }),
        );
        item.append(revoke);
      }
      return item;
    }),
  );

  byId('events-list').replaceChildren(
    ...events.slice(0, 15).map((e) => {
      const item = el('li');
      const text = el('div', eventName(e.kind, e.details));
      const at = el('time', formatTime(e.at));
      at.dateTime = e.at;
      const where = el('span', '', 'hint');
      where.append(at, ` · ${e.ip ?? 'no IP'} · ${clientName(e.client)}`);
      text.append(el('br'), where);
      item.append(text);
      return item;
    }),
  );
}

// Coming back from the verification mail (another tab): look again.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && !byId('view-account').hidden && !state.verified) {
    void run(byId('h-email').parentElement!, null, refresh);
  }
});

onClick('email-recheck', async () => {
  await refresh();
  say(byId('h-email').parentElement!, state.verified ? 'Thank you: your address is verified.' : 'Not verified yet. Open the link in the email we sent.');
});

onClick('email-resend', async () => {
  try {
    await client.resendVerification();
    say(byId('h-email').parentElement!, `We sent a new link to ${state.email}.`);
  } catch (error) {
    if (!isCode(error, 'email_already_verified')) throw error;
    await refresh();
  }
});

// ----------------------------------------------------------------------------- authenticator (TOTP)

const totpCard = () => byId('h-totp').parentElement!;
const totpPanelOpen = () => !byId('totp-enrol').hidden || !byId('totp-code-form').hidden || !byId('backup-panel').hidden;

function totpButtons(): void {
  const idle = !totpPanelOpen();
  show(button('totp-start'), idle && !state.totpEnabled);
  show(button('totp-regen'), idle && state.totpEnabled);
  show(button('totp-off'), idle && state.totpEnabled);
}

function resetTotpPanels(): void {
  state.totpSecret = '';
  state.backupCodes = [];
  byId('totp-secret').textContent = '';
  byId<HTMLImageElement>('totp-qr').removeAttribute('src');
  byId('backup-list').replaceChildren();
  for (const id of ['totp-enrol', 'totp-code-form', 'backup-panel']) show(byId(id), false);
  for (const id of ['totp-confirm-code', 'totp-code']) input(id).value = '';
  totpButtons();
}

/** The QR image is ours: load it from this origin, whatever host PUBLIC_URL names. */
function localQr(qrUrl: string): string {
  const path = /\/qr\/[^/?#]+\.png$/.exec(new URL(qrUrl, location.href).pathname);
  return path ? `.${path[0]}` : qrUrl;
}

onClick('totp-start', async () => {
  const enrolment = await client.totp.enroll();
  state.totpSecret = enrolment.secret;
  byId<HTMLImageElement>('totp-qr').src = localQr(enrolment.qrUrl);
  byId('totp-secret').textContent = groupsOfFour(enrolment.secret);
  show(byId('totp-enrol'), true);
  totpButtons();
  byId('h-enrol').focus();
});

onClick('totp-secret-copy', async () => {
  const copied = await copyText(state.totpSecret, byId('totp-secret'));
  say(totpCard(), copied ? 'Key copied.' : 'The key is selected: press Ctrl+C (⌘C on a Mac) to copy it.');
});

button('totp-enrol-cancel').addEventListener('click', () => {
  resetTotpPanels();
  button('totp-start').focus();
});

onSubmit('totp-confirm-form', async () => {
  const code = required(value('totp-confirm-code'), 'Enter the code from the app.');
  const { backupCodes } = await client.totp.confirm(code);
  resetTotpPanels();
  showBackupCodes(backupCodes);
  await refresh();
  say(totpCard(), 'Your authenticator app is on.');
});

function showBackupCodes(codes: string[]): void {
  state.backupCodes = codes;
  byId('backup-list').replaceChildren(
    ...codes.map((code) => {
      const item = el('li');
      item.append(el('code', code));
      return item;
    }),
  );
  show(byId('backup-panel'), true);
  totpButtons();
  byId('h-backup').focus();
}

const backupText = () =>
  `twofold backup codes for ${state.email}\nMade ${new Date().toISOString()}. Each code works once.\n\n${state.backupCodes.join('\n')}\n`;

onClick('backup-copy', async () => {
  const copied = await copyText(state.backupCodes.join('\n'), byId('backup-list'));
  say(totpCard(), copied ? 'Backup codes copied.' : 'The codes are selected: press Ctrl+C (⌘C on a Mac) to copy them.');
});

onClick('backup-download', () => {
  download(backupText(), 'twofold-backup-codes.txt');
  say(totpCard(), 'Backup codes downloaded as twofold-backup-codes.txt.');
});

button('backup-done').addEventListener('click', () => {
  resetTotpPanels();
  say(totpCard(), '');
  byId('h-totp').focus();
});

function askTotpCode(action: 'disable' | 'regenerate'): void {
  state.totpAction = action;
  byId('totp-code-label').textContent =
    action === 'disable' ? 'To turn the app off, enter a code from it' : 'To make new backup codes, enter a code from your app';
  byId('totp-code-hint').textContent =
    action === 'disable' ? 'The 6 digits from the app, or one of your backup codes.' : 'The 6 digits the app shows now. Your old backup codes stop working.';
  byId('totp-code-submit').textContent = action === 'disable' ? 'Turn off' : 'Make new backup codes';
  byId('totp-code-submit').className = action === 'disable' ? 'danger' : 'primary';
  show(byId('totp-code-form'), true);
  totpButtons();
  input('totp-code').focus();
}

button('totp-off').addEventListener('click', () => askTotpCode('disable'));
button('totp-regen').addEventListener('click', () => askTotpCode('regenerate'));
button('totp-code-cancel').addEventListener('click', () => {
  resetTotpPanels();
  byId('h-totp').focus();
});

onSubmit('totp-code-form', async () => {
  const code = required(value('totp-code'), 'Enter the code.');
  if (state.totpAction === 'regenerate') {
    const { backupCodes } = await client.totp.regenerateBackupCodes(code);
    resetTotpPanels();
    showBackupCodes(backupCodes);
    await refresh();
    say(totpCard(), 'New backup codes are ready; the old ones no longer work.');
    return;
  }
  await client.totp.disable(code);
  resetTotpPanels();
  await refresh();
  say(totpCard(), 'Your authenticator app is off. Your other sessions were signed out.');
  byId('h-totp').focus();
});

// ------------------------------------------------------------------------------------- email codes

const email2faCard = () => byId('h-email2fa').parentElement!;

function email2faButtons(): void {
  const on = state.emailCodes === true;
  byId('email2fa-status').textContent = on
    ? 'On. When you sign in, you can ask for a code by email.'
    : state.verified
      ? 'Off. Turn them on to sign in with a code sent to your email address.'
      : 'Off. Verify your email address to use email codes.';
  const asking = !byId('email2fa-form').hidden;
  show(button('email2fa-on'), !asking && !on);
  show(button('email2fa-off'), !asking && on);
}

onClick('email2fa-on', async () => {
  await client.email2fa.enable();
  state.emailCodes = true;
  await refresh();
  say(email2faCard(), 'Email codes are on.');
});

onClick('email2fa-off', async () => {
  try {
    await client.email2fa.disable();
  } catch (error) {
    // The expected answer: prove it is you with a fresh code first.
    if (!(error instanceof TwofoldClientError) || error.code !== 'second_factor_required') throw error;
    const method = error.details.method === 'email' ? 'email' : 'totp';
    state.emailCodesMethod = method;
    byId('email2fa-code-label').textContent =
      method === 'email' ? 'To turn email codes off, enter the code we just emailed you' : 'To turn email codes off, enter a code from your authenticator app';
    show(byId('email2fa-form'), true);
    email2faButtons();
    input('email2fa-code').focus();
    return;
  }
  await email2faOff();
});

async function email2faOff(): Promise<void> {
  state.emailCodes = false;
  show(byId('email2fa-form'), false);
  input('email2fa-code').value = '';
  await refresh();
  say(email2faCard(), 'Email codes are off.');
}

onSubmit('email2fa-form', async () => {
  const code = required(value('email2fa-code'), 'Enter the code.');
  await client.email2fa.disable(code, state.emailCodesMethod);
  await email2faOff();
  byId('h-email2fa').focus();
});

button('email2fa-cancel').addEventListener('click', () => {
  show(byId('email2fa-form'), false);
  input('email2fa-code').value = '';
  email2faButtons();
  byId('h-email2fa').focus();
});

// ------------------------------------------------------------------------ passkeys and security keys

type Key = { id: string; name: string; createdAt: string; lastUsedAt: string | null; deviceType: string; backedUp: boolean };

const keysCard = () => byId('h-webauthn').parentElement!;

function showKeys(keys: Key[]): void {
  state.keyCount = keys.length;
  byId('webauthn-status').textContent =
    keys.length === 0
      ? 'None yet. A passkey (on this device or your phone) or a security key signs you in with a touch, your fingerprint or your screen lock, instead of a code.'
      : `${keys.length === 1 ? 'One key' : `${keys.length} keys`}. When you sign in, you can use ${keys.length === 1 ? 'it' : 'any of them'} instead of a code.`;
  byId('webauthn-list').replaceChildren(
    ...keys.map((key) => {
      const item = el('li');
      const text = el('div');
      text.append(el('strong', key.name), ' ', el('span', key.backedUp ? 'synced' : 'not synced', 'badge'));
      text.append(el('br'), el('span', `added ${formatTime(key.createdAt)} · ${key.lastUsedAt ? `last used ${formatTime(key.lastUsedAt)}` : 'never used'}`, 'hint'));
      item.append(text);
      const remove = el('button', 'Remove', 'danger');
      remove.type = 'button';
      remove.setAttribute('aria-label', `Remove ${key.name}, added ${formatTime(key.createdAt)}`);
      remove.addEventListener('click', () => {
        say(keysCard(), '');
        openProof(`To remove “${key.name}”, confirm it is you.`, availableProofs(), async (proof) => {
          await client.webauthn.remove(key.id, proof);
          closeProof();
          await refresh();
          say(keysCard(), `“${key.name}” is removed. Your other sessions were signed out and trusted devices forgotten.`);
        });
      });
      item.append(remove);
      return item;
    }),
  );
}

/** The ways this user can confirm an operation, as far as the page knows. */
function availableProofs(): string[] {
  return [...(state.keyCount > 0 ? ['webauthn'] : []), ...(state.totpEnabled ? ['totp'] : []), ...(state.emailCodes ? ['email'] : [])];
}

/** Adds a key: creation options (which may need a proof first), the browser's ceremony, then the server's check. */
async function addKey(name: string, proof?: Proof): Promise<void> {
  let optionsJSON;
  try {
    optionsJSON = await client.webauthn.registrationOptions(proof);
  } catch (error) {
    if (proof || !(error instanceof TwofoldClientError) || error.code !== 'second_factor_required') throw error;
    // This account has a second factor already: the server wants a fresh one before adding another.
    const details = error.details;
    const methods = Array.isArray(details.availableMethods) ? details.availableMethods.map(String) : availableProofs();
    openProof('To add a passkey or security key, first confirm it is you.', methods, (p) => addKey(name, p), details);
    return;
  }
  const response = await passkey((webauthn) => webauthn.register(optionsJSON));
  const key = await client.webauthn.register(name, response);
  closeProof();
  input('webauthn-name').value = '';
  await refresh();
  say(keysCard(), `“${key.name}” is added. You can use it the next time you sign in.`);
}

onSubmit('webauthn-add-form', async () => {
  const name = required(value('webauthn-name'), 'Give the new key a name, such as “Work laptop” or “Blue YubiKey”.');
  closeProof();
  await addKey(name);
});

/**
 * Shows the "confirm it is you" panel of the passkeys card for an operation that needs a fresh second
 * factor: a passkey when the account has one, a code from the authenticator app or by email otherwise.
 */
function openProof(hint: string, methods: string[], attempt: (proof: Proof) => Promise<void>, details: Record<string, unknown> = {}): void {
  const codes = (['totp', 'email'] as const).filter((m) => methods.includes(m));
  const withPasskey = methods.includes('webauthn');
  const method: CodeMethod = details.method === 'email' || codes[0] === 'email' ? 'email' : 'totp';
  state.proof = { attempt, method };
  byId('webauthn-proof-hint').textContent = hint;
  show(button('webauthn-proof-passkey'), withPasskey);
  show(byId('webauthn-proof-form'), codes.length > 0);
  show(byId('webauthn-proof-methods'), codes.length > 1);
  byId('webauthn-proof-methods').querySelector('legend')!.textContent = withPasskey ? 'Or confirm with' : 'Confirm with';
  for (const m of ['totp', 'email'] as const) show(proofRadio(m).parentElement!, codes.includes(m));
  show(byId('webauthn-add-form'), false);
  show(byId('webauthn-proof'), true);
  chooseProof(method, details.method === 'email' && details.codeGenerated === true);
  byId('h-webauthn-proof').focus();
}

function closeProof(): void {
  state.proof = null;
  input('webauthn-proof-code').value = '';
  show(byId('webauthn-proof'), false);
  show(byId('webauthn-add-form'), true);
}

const proofRadio = (m: CodeMethod) => input(`webauthn-proof-m-${m}`);

function chooseProof(method: CodeMethod, mailed = false): void {
  if (state.proof) state.proof.method = method;
  proofRadio(method).checked = true;
  byId('webauthn-proof-code-label').textContent =
    method === 'email'
      ? mailed
        ? 'Code from the email we just sent'
        : 'Code from the email (press “Email me a code” first)'
      : 'Code from your authenticator app (or a backup code)';
  show(button('webauthn-proof-send'), method === 'email');
  const code = input('webauthn-proof-code');
  code.value = '';
  code.inputMode = method === 'email' ? 'numeric' : 'text';
}

for (const m of ['totp', 'email'] as const) proofRadio(m).addEventListener('change', () => chooseProof(m));

/** Asks the server for what a proof must answer: the 401 `second_factor_required` carries it (and mails a code). */
async function challengeFor(attempt: (proof: Proof) => Promise<void>, method: Proof['method']): Promise<Record<string, unknown> | null> {
  try {
    await attempt({ method });
    return null; // no proof needed after all: done
  } catch (error) {
    if (error instanceof TwofoldClientError && error.code === 'second_factor_required') return error.details;
    throw error;
  }
}

onClick('webauthn-proof-passkey', async () => {
  const attempt = state.proof?.attempt;
  if (!attempt) return;
  const details = await challengeFor(attempt, 'webauthn');
  if (!details) return;
  const optionsJSON = details.webauthn as PublicKeyCredentialRequestOptionsJSON | undefined;
  if (!optionsJSON?.challenge) throw new Error('The server did not offer a passkey check for this. Confirm with a code instead.');
  const response = await passkey((webauthn) => webauthn.authenticate(optionsJSON));
  await attempt({ method: 'webauthn', webauthn: response });
});

onClick('webauthn-proof-send', async () => {
  const attempt = state.proof?.attempt;
  if (!attempt) return;
  const details = await challengeFor(attempt, 'email');
  if (!details) return;
  chooseProof('email', true);
  say(
    keysCard(),
    details.codeGenerated === false && typeof details.codeCount === 'number'
      ? 'The code we emailed you a moment ago is still valid: enter it.'
      : 'A code is on its way to your email address; it is valid for 10 minutes.',
  );
  input('webauthn-proof-code').focus();
});

onSubmit('webauthn-proof-form', async () => {
  const proof = state.proof;
  if (!proof) return;
  const code = required(value('webauthn-proof-code'), 'Enter the code.');
  await proof.attempt({ code, method: proof.method });
});

button('webauthn-proof-cancel').addEventListener('click', () => {
  closeProof();
  say(keysCard(), '');
  byId('h-webauthn').focus();
});

// --------------------------------------------------------------------------------- trusted devices

type TrustedDevice = { id: string; label: string; createdAt: string; expiresAt: string; lastUsedAt: string | null };

function showDevices(devices: TrustedDevice[]): void {
  show(byId('devices-empty'), devices.length === 0);
  byId('devices-list').replaceChildren(
    ...devices.map((d) => {
      const item = el('li');
      const text = el('div');
      const label = d.label || 'Unknown device';
      text.append(el('strong', label));
      text.append(
        el('br'),
        el('span', `remembered ${formatTime(d.createdAt)} · ${d.lastUsedAt ? `last used ${formatTime(d.lastUsedAt)}` : 'not used since'} · until ${formatTime(d.expiresAt)}`, 'hint'),
      );
      item.append(text);
      const forget = el('button', 'Forget', 'quiet');
      forget.type = 'button';
      forget.setAttribute('aria-label', `Forget ${label}, remembered ${formatTime(d.createdAt)}`);
      forget.addEventListener('click', () =>
        void run(byId('h-devices').parentElement!, forget, async () => {
          await client.devices.revoke(d.id);
          await refresh();
          say(byId('h-devices').parentElement!, `${label} is forgotten: signing in there asks for the second step again.`);
        }),
      );
      item.append(forget);
      return item;
    }),
  );
}

// -------------------------------------------------------------------------------------------- start

async function start(): Promise<void> {
  // A verification link may point here as `#verify=<token>`: the fragment never reaches a server, and
  // it leaves the address bar and the history before anything else happens.
  const verify = /^#verify=([^&]+)/.exec(location.hash);
  let message = '';
  let failed = false;
  if (verify) {
    history.replaceState(null, '', location.pathname);
    try {
      await client.verifyEmail(decodeURIComponent(verify[1]!));
      message = 'Your email address is verified.';
    } catch (error) {
      [message, failed] = [explain(error), true];
    }
  }
  if (client.token) {
    try {
      await enterAccount(message);
      return;
    } catch (error) {
      if (!isCode(error, 'not_authenticated', 'session_expired')) return go('account', explain(error), true);
      client.setToken(null);
      storage.set(null);
    }
  }
  go('sign-in', message, failed);
}

void start();
