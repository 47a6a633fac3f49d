// "Forgot your password?" from Rocket.Chat's clients: the DDP method `sendForgotPasswordEmail` (its web and older
// mobile clients, here through simpleddp and Rocket.Chat's own `@rocket.chat/ddp-client`) and the REST route
// `users.forgotPassword` (through `@rocket.chat/api-client`). Both answer alike for every address, and a real
// account gets the mail whose link sets a new password, after which Rocket.Chat's login takes it.
import { randomBytes } from 'node:crypto';
import { RestClient } from '@rocket.chat/api-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectSimpleDdp, ddpError, withRocketChatSdk, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { rocketRest, verifiedUser } from './helpers.ts';

let t: TestServer;
const clients: SimpleDdpClient[] = [];
const swallow = () => undefined;
beforeAll(async () => {
  // simpleddp rejects some internal promises on disconnect; they must not fail the run.
  process.on('unhandledRejection', swallow);
  t = await startTestServer({ RATE_LIMITS: 'false' });
});
afterAll(async () => {
  for (const client of clients) await client.disconnect().catch(() => undefined);
  await t.close();
  process.off('unhandledRejection', swallow);
});

async function ddp() {
  const client = await connectSimpleDdp(t.wsUrl);
  clients.push(client);
  return client;
}

const resetMails = (email: string) => t.notices.sent.filter((n) => n.kind === 'password-reset' && n.to === email);

/** The token of the newest reset mail to `email`, once it has gone (mails leave after the answer). */
async function mailedResetToken(email: string, count: number): Promise<string> {
  const mail = await vi.waitFor(() => {
    const mails = resetMails(email);
    if (mails.length < count) throw new Error('no reset mail yet');
    return mails.at(-1)!;
  });
  if (mail.kind !== 'password-reset') throw new Error('not a reset mail');
  return decodeURIComponent(new URL(mail.link).hash.replace(/^#reset=/, ''));
}

/** Sets `password` with the mailed link, as twofold's account page does with the token from the URL. */
async function resetWith(token: string, password: string) {
  expect((await t.request('POST', '/v1/password-resets/confirm', { body: { token, password } })).status).toBe(204);
}

describe('sendForgotPasswordEmail (DDP)', () => {
  it('mails a reset link for a known address (any case); the new password then signs in on Rocket.Chat\'s login', async () => {
    const { email, username } = await verifiedUser(t, 'rcforgot');
    const client = await ddp();
    expect(await client.call('sendForgotPasswordEmail', `  ${email.toUpperCase()} `)).toBe(true);
    await resetWith(await mailedResetToken(email, 1), 'a brand new password');
    expect((await rocketRest(t, 'POST', 'login', { body: { user: username, password: 'rocket chat password' } })).status).toBe(401);
    expect((await rocketRest(t, 'POST', 'login', { body: { user: username, password: 'a brand new password' } })).status).toBe(200);
  });

  it('answers true for an unknown address and for no address at all (no user oracle), and mails nobody', async () => {
    const client = await ddp();
    const nobody = uniqueEmail('nobody');
    const before = t.notices.sent.length;
    expect(await client.call('sendForgotPasswordEmail', nobody)).toBe(true);
    expect(await client.call('sendForgotPasswordEmail', 'not an address')).toBe(true);
    expect(await client.call('sendForgotPasswordEmail', '')).toBe(true);
    expect(await ddpError(client.call('sendForgotPasswordEmail', { email: nobody }))).toMatchObject({ error: 400, reason: 'Match failed' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.notices.sent.slice(before).filter((n) => n.kind === 'password-reset')).toEqual([]);
  });

  it('is served to Rocket.Chat\'s own DDP client', async () => {
    const { email } = await verifiedUser(t, 'rcsdkforgot');
    expect(await withRocketChatSdk(t.url, (sdk) => sdk.call('sendForgotPasswordEmail', email))).toBe(true);
    expect(await mailedResetToken(email, 1)).toEqual(expect.any(String));
  });
});

describe('a mail cannon', () => {
  it('is stopped on both wires by the native reset\'s limits: per address (5 an hour), then per IP', async () => {
    // Behind a proxy on this host, from an address of its own: other tests' requests from 127.0.0.1 within the
    // minute share no counter with these (the counters live in the suite's one database).
    const server = await startTestServer({ RATE_LIMITS: 'true', RATE_LIMIT_ACCOUNT_MAIL: '8/60', TRUST_PROXY: 'loopback' });
    const from = { 'x-forwarded-for': `2001:db8:${randomBytes(2).toString('hex')}::${randomBytes(2).toString('hex')}` };
    const client = await connectSimpleDdp(server.wsUrl, from);
    clients.push(client);
    const rest = (email: string) => rocketRest(server, 'POST', 'users.forgotPassword', { body: { email }, headers: from });
    try {
      const target = uniqueEmail('flood');
      for (let i = 0; i < 5; i++) expect(await client.call('sendForgotPasswordEmail', target)).toBe(true);
      expect(await ddpError(client.call('sendForgotPasswordEmail', target))).toMatchObject({ error: 'too-many-requests' });
      // Six from this address so far, the refused one included; two more over REST, then the IP's budget is spent.
      expect((await rest(uniqueEmail('other'))).status).toBe(200);
      expect((await rest(uniqueEmail('other'))).status).toBe(200);
      expect((await rest(uniqueEmail('other'))).status).toBe(429);
      expect(await ddpError(client.call('sendForgotPasswordEmail', uniqueEmail('other')))).toMatchObject({ error: 'too-many-requests' });
    } finally {
      await server.close();
    }
  });
});

describe('POST /api/v1/users.forgotPassword', () => {
  it('answers {success: true} for any address through Rocket.Chat\'s REST client; a known one gets the link', async () => {
    const { email, username } = await verifiedUser(t, 'rcrestforgot');
    const client = new RestClient({ baseUrl: t.url });
    expect(await client.post('/v1/users.forgotPassword', { email })).toEqual({ success: true });
    expect(await client.post('/v1/users.forgotPassword', { email: uniqueEmail('ghost') })).toEqual({ success: true });
    await resetWith(await mailedResetToken(email, 1), 'another new password');
    expect((await rocketRest(t, 'POST', 'login', { body: { user: username, password: 'another new password' } })).status).toBe(200);
    expect(resetMails(email)).toHaveLength(1);
  });

  it('names a missing address as Rocket.Chat names a missing parameter', async () => {
    const answer = await rocketRest(t, 'POST', 'users.forgotPassword', { body: {} });
    expect(answer).toEqual({
      status: 400,
      body: { success: false, error: 'email is a required parameter [error-parameter-required]', errorType: 'error-parameter-required', details: { method: 'forgotPassword' } },
    });
  });
});
