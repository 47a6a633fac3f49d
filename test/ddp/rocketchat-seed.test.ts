// The Rocket.Chat 2FA seed document (shared/seeds/rocketchat-2fa.txt) over DDP, driven by real
// third-party clients: simpleddp (+ its login plugin) and @rocket.chat/ddp-client. Email codes travel
// through a real SMTP server; the test reads them from the received mail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DDPSDK } from '@rocket.chat/ddp-client';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { connectSimpleDdp, ddpError, sha256, withTimeout, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { uniqueEmail } from '../helpers/db.ts';

let t: TestServer;
let sink: SmtpSink;
const clients: SimpleDdpClient[] = [];
const swallow = () => undefined;

beforeAll(async () => {
  // simpleddp rejects some internal promises on disconnect; they must not fail the run.
  process.on('unhandledRejection', swallow);
  sink = await startSmtpSink();
  t = await startTestServer({ SMTP_URL: sink.url }, { realMail: true });
});
afterAll(async () => {
  for (const client of clients) await client.disconnect().catch(() => undefined);
  await t.close();
  await sink.close();
  process.off('unhandledRejection', swallow);
});

async function client() {
  const c = await connectSimpleDdp(t.wsUrl);
  clients.push(c);
  return c;
}

const nextStep = () => t.clock.advance(30_000);

/** A user with a verified address (through the mailed link), signed in over DDP. */
async function verifiedUser(label: string) {
  const email = uniqueEmail(label);
  const username = `${label}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const password = 'seed document password';
  const since = sink.mails.length;
  await t.request('POST', '/v1/users', { body: { email, password, username } });
  const mail = await sink.nextMailTo(email, since);
  const link = /https?:\/\/\S+confirm\?token=[\w-]+/.exec(mail.text ?? '')![0];
  expect((await fetch(link)).status).toBe(200);
  const ddp = await client();
  await ddp.login({ user: { username }, password: { digest: sha256(password), algorithm: 'sha-256' } });
  return { email, username, password, ddp };
}

async function withEmailCodes(label: string) {
  const user = await verifiedUser(label);
  expect(await user.ddp.call('2fa:enable-email')).toBe(true);
  return user;
}

async function withTotp(label: string) {
  const user = await verifiedUser(label);
  const { secret, url } = (await user.ddp.call('2fa:enable')) as { secret: string; url: string };
  expect(url).toMatch(/^otpauth:\/\/totp\//);
  nextStep();
  const { codes } = (await user.ddp.call('2fa:validateTempToken', authenticatorCode(secret, t.clock))) as { codes: string[] };
  expect(codes).toHaveLength(12);
  return { ...user, secret, codes };
}

describe('Errors: totp-required', () => {
  it('answers a protected method without a code with the challenge and its details (email: a new code is mailed)', async () => {
    const { ddp, email, username } = await withEmailCodes('required');
    const since = sink.mails.length;
    const error = await ddpError(ddp.call('2fa:disable-email'));
    expect(error).toMatchObject({
      isClientSafe: true,
      error: 'totp-required',
      reason: 'TOTP Required',
      details: { method: 'email', codeGenerated: true, emailOrUsername: username, availableMethods: ['email'] },
      message: 'TOTP Required [totp-required]',
      errorType: 'Meteor.Error',
    });
    await sink.nextMailTo(email, since);

    // Asked again while that code lives: no new mail, the seed's reuse details.
    const again = await ddpError(ddp.call('2fa:disable-email'));
    expect(again.details).toMatchObject({ method: 'email', codeGenerated: false, codeCount: 1, availableMethods: ['email'] });
    expect(again.details.codeExpires).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT/)]);
  });
});

describe('Calling a method with Two Factor', () => {
  it('callWithTwoFactorRequired with the right code returns the method’s own result; a wrong one gives totp-invalid', async () => {
    const { ddp, email } = await withEmailCodes('call2fa');
    const since = sink.mails.length;
    await ddpError(ddp.call('2fa:disable-email'));
    const code = sink.codeOf(await sink.nextMailTo(email, since));

    const wrong = await ddpError(ddp.call('callWithTwoFactorRequired', { code: '000000', ddpMethod: '2fa:disable-email', method: 'email', params: [] }));
    expect(wrong).toMatchObject({ error: 'totp-invalid', reason: 'TOTP Invalid', message: 'TOTP Invalid [totp-invalid]' });

    expect(await ddp.call('callWithTwoFactorRequired', { code, ddpMethod: '2fa:disable-email', method: 'email', params: [] })).toBe(true);
  });

  it('accepts the code as a trailing {twoFactorCode, twoFactorMethod} argument too', async () => {
    const { ddp, secret } = await withTotp('trailing');
    // Adding a factor needs a proof of the authenticator (this session signed in before it existed).
    expect(await ddpError(ddp.call('2fa:enable-email'))).toMatchObject({ error: 'totp-required', details: { method: 'totp' } });
    nextStep();
    expect(await ddp.call('2fa:enable-email', { twoFactorCode: authenticatorCode(secret, t.clock), twoFactorMethod: 'totp' })).toBe(true);
    // Past the step-up window the proof goes along again, in the same trailing argument.
    t.clock.advance(601_000);
    expect(await ddpError(ddp.call('2fa:disable-email'))).toMatchObject({ error: 'totp-required' });
    expect(await ddp.call('2fa:disable-email', { twoFactorCode: authenticatorCode(secret, t.clock), twoFactorMethod: 'totp' })).toBe(true);
  });

  it('caps a parallel burst of wrong email codes at 5 tries', async () => {
    const { ddp, email } = await withEmailCodes('burst');
    const since = sink.mails.length;
    await ddpError(ddp.call('2fa:disable-email'));
    const code = sink.codeOf(await sink.nextMailTo(email, since)).replace('-', '');
    const wrong = String((Number(code) + 7) % 1_000_000).padStart(6, '0');
    const errors = await Promise.all(
      Array.from({ length: 12 }, () => ddpError(ddp.call('callWithTwoFactorRequired', { code: wrong, ddpMethod: '2fa:disable-email', method: 'email', params: [] }))),
    );
    expect(errors.filter((e) => e.error === 'totp-invalid')).toHaveLength(5);
    // The rest never reach a comparison: the code's cap, or the account throttle after 10 failures.
    expect(errors.filter((e) => e.error === 'totp-max-attempts' || e.error === 'too-many-requests')).toHaveLength(7);
    expect(errors.find((e) => e.error === 'totp-max-attempts')?.reason).toBe('TOTP Maximun Failed Attempts Reached');
  });
});

describe('Requesting a new email code', () => {
  it('sendEmailCode mails every verified address and returns them', async () => {
    const { email, username } = await withEmailCodes('resend');
    const anonymous = await client();
    const since = sink.mails.length;
    // To anyone but the user signed in, the address comes back masked (threat 9): the seed's array, minus the harvest.
    const masked = `${email[0]}•••${email.slice(email.indexOf('@'))}`;
    expect(await anonymous.call('sendEmailCode', username)).toEqual([masked]);
    const mail = await sink.nextMailTo(email, since);
    expect(sink.codeOf(mail)).toMatch(/^\d{3}-\d{3}$/);
    expect(await anonymous.call('sendEmailCode', email.toUpperCase())).toEqual([masked]);
  });

  it('answers error-parameter-required and error-invalid-user', async () => {
    const anonymous = await client();
    expect(await ddpError(anonymous.call('sendEmailCode', ''))).toMatchObject({ error: 'error-parameter-required', details: { method: 'sendEmailCode' } });
    expect(await ddpError(anonymous.call('sendEmailCode', 'nobody-at-all'))).toMatchObject({ error: 'error-invalid-user', reason: 'Invalid user' });
  });
});

describe('Enabling and disabling the Two Factor via Email', () => {
  it('2fa:enable-email needs a login and a verified address', async () => {
    const anonymous = await client();
    expect(await ddpError(anonymous.call('2fa:enable-email'))).toMatchObject({ error: 'not-authorized' });

    const username = `unverified${Date.now().toString(36)}`;
    await t.request('POST', '/v1/users', { body: { email: uniqueEmail('unverified'), password: 'not yet verified', username } });
    const ddp = await client();
    await ddp.login({ user: { username }, password: 'not yet verified' });
    expect(await ddpError(ddp.call('2fa:enable-email'))).toMatchObject({ error: 'error-email-not-verified' });
  });
});

describe('Login with a second factor', () => {
  it('TOTP users: password login answers totp-required; {totp: {login, code}} signs in', async () => {
    const { username, password, secret } = await withTotp('totplogin');
    const ddp = await client();
    const loginRequest = { user: { username }, password: { digest: sha256(password), algorithm: 'sha-256' } };
    expect(await ddpError(ddp.call('login', loginRequest))).toMatchObject({
      error: 'totp-required',
      details: { method: 'totp', codeGenerated: false, availableMethods: ['totp'] },
    });
    expect(await ddpError(ddp.call('login', { totp: { login: loginRequest, code: '000000' } }))).toMatchObject({ error: 'totp-invalid' });
    nextStep();
    const result = await ddp.login({ totp: { login: loginRequest, code: authenticatorCode(secret, t.clock) } });
    expect(result).toMatchObject({ id: expect.any(String), token: expect.any(String), type: 'password' });
    expect(await ddp.call('2fa:checkCodesRemaining')).toEqual({ remaining: 12 });
  });

  it('email users: the challenge mails a code; the code from the mail signs in', async () => {
    const { username, password, email } = await withEmailCodes('emaillogin');
    const ddp = await client();
    const loginRequest = { user: { username }, password: { digest: sha256(password), algorithm: 'sha-256' } };
    const since = sink.mails.length;
    expect(await ddpError(ddp.call('login', loginRequest))).toMatchObject({ error: 'totp-required', details: { method: 'email', codeGenerated: true } });
    const code = sink.codeOf(await sink.nextMailTo(email, since));
    const result = await ddp.login({ totp: { login: loginRequest, code } });
    expect(result.type).toBe('password');
  });

  it('bad credentials get one ambiguous answer; resume tokens work and die with logout', async () => {
    const { username, password, ddp } = await verifiedUser('resume');
    const other = await client();
    expect(await ddpError(other.call('login', { user: { username }, password: 'wrong password' }))).toMatchObject({
      error: 403,
      reason: 'Something went wrong. Please check your credentials.',
    });
    expect(await ddpError(other.call('login', { user: { username: 'nobody-here' }, password }))).toMatchObject({ error: 403 });
    const token = (ddp as unknown as { token: string }).token;
    expect((await other.login({ resume: token })).type).toBe('resume');
    await ddp.logout();
    const third = await client();
    expect(await ddpError(third.call('login', { resume: token }))).toMatchObject({ error: 403, reason: "You've been logged out by the server. Please log in again." });
    expect(await ddpError(third.call('login', { nothing: true }))).toMatchObject({ error: 400, reason: 'Unrecognized options for login request' });
  });
});

describe('TOTP methods (Rocket.Chat names)', () => {
  it('regenerate codes, count them, and disable with a code', async () => {
    const { ddp, secret, codes } = await withTotp('totpmethods');
    // A wrong code answers undefined, as Rocket.Chat does (twofold still counts it as a wrong answer).
    expect(await ddp.call('2fa:regenerateCodes', '000000')).toBeUndefined();
    nextStep();
    const fresh = (await ddp.call('2fa:regenerateCodes', authenticatorCode(secret, t.clock))) as { codes: string[] };
    expect(fresh.codes).toHaveLength(12);
    expect(fresh.codes).not.toContain(codes[0]);
    expect(await ddp.call('2fa:disable', '000000')).toBe(false);
    expect(await ddp.call('2fa:disable', fresh.codes[0])).toBe(true);
    expect(await ddpError(ddp.call('2fa:checkCodesRemaining'))).toMatchObject({ error: 'invalid-totp' });
  });
});

describe('@rocket.chat/ddp-client', () => {
  it('logs in with the password digest and by token, and meets the challenge', async () => {
    const { username, password } = await withEmailCodes('rcclient');
    const previous = (globalThis as { WebSocket?: unknown }).WebSocket;
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
    const sdk = await withTimeout(DDPSDK.createAndConnect(t.url), 5000, '@rocket.chat/ddp-client connect');
    try {
      // A user with email codes: the SDK's plain password login meets the challenge.
      const challenged = await sdk.account.loginWithPassword(username, sha256(password)).then(
        () => null,
        (error: { error?: string }) => error,
      );
      expect(challenged).toMatchObject({ error: 'totp-required' });

      const plain = await verifiedUser('rcplain');
      await sdk.account.loginWithPassword(plain.username, sha256(plain.password));
      expect(sdk.account.uid).toEqual(expect.any(String));
      const token = sdk.account.user?.token as string;
      await sdk.account.logout();
      await expect(sdk.account.loginWithToken(token)).rejects.toBeTruthy();
      expect(await sdk.call('sendEmailCode', username)).toHaveLength(1);
    } finally {
      sdk.connection.close();
      (globalThis as { WebSocket?: unknown }).WebSocket = previous;
    }
  });
});

describe('SockJS', () => {
  it('sockjs-client connects through /sockjs and calls a method', async () => {
    const { default: SockJS } = await import('sockjs-client');
    const socket = new SockJS(`${t.url}/sockjs`, undefined, { transports: ['websocket'] });
    const messages: Array<Record<string, unknown>> = [];
    const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no result over SockJS')), 5000);
      socket.onmessage = (event: { data: string }) => {
        const message = JSON.parse(event.data) as Record<string, unknown>;
        messages.push(message);
        if (message.msg === 'connected') socket.send(JSON.stringify({ msg: 'method', id: '1', method: 'sendEmailCode', params: [''] }));
        if (message.msg === 'result') {
          clearTimeout(timer);
          resolve(message);
        }
      };
    });
    socket.onopen = () => socket.send(JSON.stringify({ msg: 'connect', version: '1', support: ['1'] }));
    const result = await answer;
    socket.close();
    expect(messages[0]).toMatchObject({ msg: 'connected' });
    expect(result).toMatchObject({ id: '1', error: { error: 'error-parameter-required', errorType: 'Meteor.Error' } });
  });
});
