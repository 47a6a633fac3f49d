// WebAuthn security keys and passkeys as a second factor over the native API (contract: issue 9), driven by
// a software authenticator that signs like a real one (test/helpers/webauthn-authenticator.ts): register a
// key, sign in with it, and the ways an assertion is refused — replayed, for another transaction, from
// another origin, with a counter going backwards, for another user, too many times, too late. Adding and
// removing keys needs a fresh second factor, which a key can give itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { enrolledUser } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { connectSimpleDdp, ddpError, sha256, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { SoftAuthenticator } from '../helpers/webauthn-authenticator.ts';

let t: TestServer;
const ddpClients: SimpleDdpClient[] = [];
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  t = await startTestServer();
});
afterAll(async () => {
  for (const client of ddpClients) await client.disconnect().catch(() => undefined);
  await t.close();
  process.off('unhandledRejection', swallow);
});

/** The test server's PUBLIC_URL is http://127.0.0.1:PORT: the relying party is the IP, the origin the URL. */
const RP_ID = '127.0.0.1';
const newKeyAt = (origin: string) => new SoftAuthenticator({ origin, rpId: RP_ID });
const newKey = () => newKeyAt(t.url);
/** Another browser: outside the remember-for grace of a session that passed a second factor. */
const OTHER_BROWSER = { 'user-agent': 'another-browser/1.0' };

interface KeyUser {
  email: string;
  password: string;
  /** A session from the password-only sign-in, before the key existed. */
  token: string;
  key: SoftAuthenticator;
  credentialId: string;
}

/** The key-management calls, as the account page makes them. */
const registrationOptions = (token: string, proof: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  t.request('POST', '/v1/me/webauthn/registration-options', { token, body: proof, headers });
const saveCredential = (token: string, name: string, response: unknown, headers: Record<string, string> = {}) =>
  t.request('POST', '/v1/me/webauthn/credentials', { token, body: { name, response }, headers });
const listCredentials = (token: string) => t.request('GET', '/v1/me/webauthn/credentials', { token });
const removeCredential = (token: string, id: string, proof: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  t.request('POST', `/v1/me/webauthn/credentials/${encodeURIComponent(id)}/remove`, { token, body: proof, headers });

/** The sign-in calls. */
const passwordLogin = (email: string, password: string) => t.request('POST', '/v1/sessions', { body: { login: email, password } });
const loginOptions = (transactionId: string) => t.request('POST', '/v1/sessions/webauthn-options', { body: { transactionId } });
const completeWithKey = (transactionId: string, webauthn: AuthenticationResponseJSON) =>
  t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, method: 'webauthn', webauthn } });

async function startLogin(email: string, password: string): Promise<string> {
  const res = await passwordLogin(email, password);
  expect(res.status).toBe(202);
  expect(res.body.methods).toContain('webauthn');
  return res.body.transactionId;
}

async function optionsFor(transactionId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const res = await loginOptions(transactionId);
  expect(res.status).toBe(200);
  return res.body;
}

/** Registers `key` for the signed-in user (proof: what a user with a factor must add) and returns the stored credential. */
async function addKey(token: string, key: SoftAuthenticator, name: string, proof: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const options = await registrationOptions(token, proof, headers);
  expect(options.status).toBe(200);
  const saved = await saveCredential(token, name, key.register(options.body as PublicKeyCredentialCreationOptionsJSON), headers);
  expect(saved.status).toBe(201);
  return saved.body as { id: string; name: string };
}

/** A user with a password and one security key, and no other factor. */
async function keyUser(label = 'webauthn'): Promise<KeyUser> {
  const email = uniqueEmail(label);
  const password = 'touch the key please';
  expect((await t.request('POST', '/v1/users', { body: { email, password } })).status).toBe(201);
  const login = await passwordLogin(email, password);
  expect(login.status).toBe(201);
  const key = newKey();
  const saved = await addKey(login.body.token, key, 'YubiKey 5C');
  return { email, password, token: login.body.token, key, credentialId: saved.id };
}

/** The whole sign-in with the key: password, options, assertion → the session. */
async function signInWithKey(user: KeyUser): Promise<string> {
  const transactionId = await startLogin(user.email, user.password);
  const done = await completeWithKey(transactionId, user.key.authenticate(await optionsFor(transactionId)));
  expect(done.status).toBe(201);
  return done.body.token;
}

describe('registering a security key', () => {
  it('offers creation options for this server, with no attestation and a preferred discoverable credential', async () => {
    const email = uniqueEmail('options');
    await t.request('POST', '/v1/users', { body: { email, password: 'touch the key please' } });
    const { token } = (await passwordLogin(email, 'touch the key please')).body;
    const res = await registrationOptions(token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      rp: { id: RP_ID, name: expect.any(String) },
      user: { id: expect.any(String), name: expect.any(String) },
      challenge: expect.stringMatching(/^[\w-]{16,}$/),
      pubKeyCredParams: expect.arrayContaining([{ type: 'public-key', alg: -7 }]),
      attestation: 'none',
      authenticatorSelection: expect.objectContaining({ residentKey: 'preferred' }),
      excludeCredentials: [],
    });
  });

  it('stores the key and lists it', async () => {
    const user = await keyUser();
    const list = await listCredentials(user.token);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      credentials: [
        {
          id: user.credentialId,
          name: 'YubiKey 5C',
          createdAt: expect.any(String),
          lastUsedAt: null,
          deviceType: 'singleDevice',
          backedUp: false,
          transports: ['usb'],
        },
      ],
    });
  });

  it('refuses a response from another origin, for another challenge, or one used twice', async () => {
    const email = uniqueEmail('badreg');
    await t.request('POST', '/v1/users', { body: { email, password: 'touch the key please' } });
    const { token } = (await passwordLogin(email, 'touch the key please')).body;

    const evil = await registrationOptions(token);
    const fromEvil = await saveCredential(token, 'phished', newKey().register(evil.body, { origin: 'http://evil.example' }));
    expect(fromEvil.status).toBe(400);
    expect(fromEvil.body.error.code).toBe('webauthn_registration_failed');

    const other = await registrationOptions(token);
    const forged = await saveCredential(token, 'forged', newKey().register(other.body, { challenge: 'bm90LXRoZS1jaGFsbGVuZ2U' }));
    expect(forged.body.error.code).toBe('webauthn_registration_failed');

    const once = await registrationOptions(token);
    const response = newKey().register(once.body);
    expect((await saveCredential(token, 'first', response)).status).toBe(201);
    const twice = await saveCredential(token, 'again', response);
    expect(twice.status).toBe(400);
    expect(twice.body.error.code).toBe('webauthn_registration_failed');
    expect((await listCredentials(token)).body.credentials.map((c: { name: string }) => c.name)).toEqual(['first']);
  });

  it("refuses an answer to another user's registration challenge", async () => {
    const signedIn = async (label: string) => {
      const email = uniqueEmail(label);
      await t.request('POST', '/v1/users', { body: { email, password: 'touch the key please' } });
      return (await passwordLogin(email, 'touch the key please')).body.token as string;
    };
    const victim = await signedIn('victim');
    const attacker = await signedIn('attacker');
    const options = await registrationOptions(victim);
    const res = await saveCredential(attacker, 'planted', newKey().register(options.body));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('webauthn_registration_failed');
    expect((await listCredentials(attacker)).body.credentials).toEqual([]);
  });

  it('refuses a registration challenge older than 5 minutes', async () => {
    const email = uniqueEmail('latereg');
    await t.request('POST', '/v1/users', { body: { email, password: 'touch the key please' } });
    const { token } = (await passwordLogin(email, 'touch the key please')).body;
    const options = await registrationOptions(token);
    const response = newKey().register(options.body);
    t.clock.advance(5 * 60_000 + 1000);
    const late = await saveCredential(token, 'too late', response);
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('webauthn_registration_failed');
  });
});

describe('signing in with a security key', () => {
  it('password → 202 with webauthn among the methods → options → assertion → 201 session', async () => {
    const user = await keyUser();
    const login = await passwordLogin(user.email, user.password);
    expect(login.status).toBe(202);
    expect(login.body).toMatchObject({ secondFactorRequired: true, transactionId: expect.any(String), methods: ['webauthn'] });
    expect(login.body).not.toHaveProperty('token');

    const options = await loginOptions(login.body.transactionId);
    expect(options.status).toBe(200);
    expect(options.body).toMatchObject({
      challenge: expect.stringMatching(/^[\w-]{16,}$/),
      rpId: RP_ID,
      userVerification: 'preferred',
      timeout: expect.any(Number),
      allowCredentials: [expect.objectContaining({ id: user.key.credentialIds[0], type: 'public-key' })],
    });

    const done = await completeWithKey(login.body.transactionId, user.key.authenticate(options.body));
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ token: expect.any(String), expiresAt: expect.any(String), user: { email: user.email } });
    expect((await t.request('GET', '/v1/me', { token: done.body.token })).status).toBe(200);
    // The key remembers its use.
    const [credential] = (await listCredentials(done.body.token)).body.credentials;
    expect(credential.lastUsedAt).toEqual(expect.any(String));
  });

  it('lists webauthn after the authenticator app: totp, webauthn, backup_code', async () => {
    const user = await enrolledUser(t, 'totp+key');
    t.clock.advance(30_000);
    await addKey(user.token, newKey(), 'backup key', { code: authenticatorCode(user.secret, t.clock) });
    const login = await passwordLogin(user.email, user.password);
    expect(login.body.methods).toEqual(['totp', 'webauthn', 'backup_code']);
  });

  it('answers webauthn_not_enabled to a user without a key', async () => {
    const user = await enrolledUser(t, 'nokey');
    const login = await passwordLogin(user.email, user.password);
    const res = await loginOptions(login.body.transactionId);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('webauthn_not_enabled');
    expect((await loginOptions('no-such-transaction')).body.error.code).toBe('transaction_not_found');
    // The transaction that confirms a new authenticator app is no login: no options for it.
    const enrolment = await t.request('POST', '/v1/users', { body: { email: uniqueEmail('enrolling'), password: 'touch the key please', totp: true } });
    const res2 = await loginOptions(enrolment.body.totp.transactionId);
    expect(res2.status).toBe(404);
    expect(res2.body.error.code).toBe('transaction_not_found');
  });

  it('accepts a synced passkey whose counter stays at 0, and reports it as backed up', async () => {
    const email = uniqueEmail('passkey');
    const password = 'touch the key please';
    await t.request('POST', '/v1/users', { body: { email, password } });
    const { token } = (await passwordLogin(email, password)).body;
    const passkey = new SoftAuthenticator({ origin: t.url, rpId: RP_ID, backupEligible: true, backedUp: true, transports: ['internal', 'hybrid'] });
    await addKey(token, passkey, 'phone');
    expect((await listCredentials(token)).body.credentials[0]).toMatchObject({ deviceType: 'multiDevice', backedUp: true, transports: ['internal', 'hybrid'] });
    // Synced passkeys report signature counter 0 every time: that is no clone.
    for (let i = 0; i < 2; i++) {
      const transactionId = await startLogin(email, password);
      const done = await completeWithKey(transactionId, passkey.authenticate(await optionsFor(transactionId), { counter: 0 }));
      expect(done.status).toBe(201);
    }
  });

  it('refuses a replayed assertion on a new transaction', async () => {
    const user = await keyUser();
    const first = await startLogin(user.email, user.password);
    const assertion = user.key.authenticate(await optionsFor(first));
    expect((await completeWithKey(first, assertion)).status).toBe(201);

    const second = await startLogin(user.email, user.password);
    await optionsFor(second);
    const replay = await completeWithKey(second, assertion);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toMatchObject({ code: 'webauthn_invalid', details: { attemptsLeft: 4 } });
    // The same transaction still completes with a fresh answer.
    expect((await completeWithKey(second, user.key.authenticate(await optionsFor(second)))).status).toBe(201);
  });

  it('refuses an assertion for a challenge issued to another transaction', async () => {
    const user = await keyUser();
    const mine = await startLogin(user.email, user.password);
    const other = await startLogin(user.email, user.password);
    const optionsForOther = await optionsFor(other);
    await optionsFor(mine);
    const crossed = await completeWithKey(mine, user.key.authenticate(optionsForOther));
    expect(crossed.status).toBe(401);
    expect(crossed.body.error.code).toBe('webauthn_invalid');
    // The other transaction's challenge was not spent by that attempt.
    expect((await completeWithKey(other, user.key.authenticate(optionsForOther))).status).toBe(201);
  });

  it('refuses an assertion made for another origin (phishing) or another relying party', async () => {
    const user = await keyUser();
    const transactionId = await startLogin(user.email, user.password);
    const phished = await completeWithKey(transactionId, user.key.authenticate(await optionsFor(transactionId), { origin: 'http://127.0.0.1.evil.example' }));
    expect(phished.status).toBe(401);
    expect(phished.body.error.code).toBe('webauthn_invalid');
    const otherRp = await completeWithKey(transactionId, user.key.authenticate(await optionsFor(transactionId), { rpId: 'evil.example' }));
    expect(otherRp.body.error).toMatchObject({ code: 'webauthn_invalid', details: { attemptsLeft: 3 } });
  });

  it('refuses a signature counter that does not go up (a cloned key)', async () => {
    const user = await keyUser();
    await signInWithKey(user);
    await signInWithKey(user);
    expect(user.key.counterOf(user.key.credentialIds[0]!)).toBe(2);
    const transactionId = await startLogin(user.email, user.password);
    const backwards = await completeWithKey(transactionId, user.key.authenticate(await optionsFor(transactionId), { counter: 1 }));
    expect(backwards.status).toBe(401);
    expect(backwards.body.error.code).toBe('webauthn_invalid');
    const same = await completeWithKey(transactionId, user.key.authenticate(await optionsFor(transactionId), { counter: 2 }));
    expect(same.body.error.code).toBe('webauthn_invalid');
  });

  it('refuses a tampered signature', async () => {
    const user = await keyUser();
    const transactionId = await startLogin(user.email, user.password);
    const res = await completeWithKey(transactionId, user.key.authenticate(await optionsFor(transactionId), { tamper: true }));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('webauthn_invalid');
  });

  it("refuses user A's key on user B's transaction", async () => {
    const a = await keyUser('alice');
    const b = await keyUser('bob');
    const transactionId = await startLogin(b.email, b.password);
    const options = await optionsFor(transactionId);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual(b.key.credentialIds);
    const foreign = await completeWithKey(transactionId, a.key.authenticate(options, { credentialId: a.key.credentialIds[0] }));
    expect(foreign.status).toBe(401);
    expect(foreign.body.error.code).toBe('webauthn_invalid');
    expect((await completeWithKey(transactionId, b.key.authenticate(options))).status).toBe(201);
  });

  it('locks the transaction after 5 bad assertions, even for a good one', async () => {
    const user = await keyUser();
    const transactionId = await startLogin(user.email, user.password);
    let options: PublicKeyCredentialRequestOptionsJSON | undefined;
    for (let left = 4; left >= 0; left--) {
      options = await optionsFor(transactionId);
      const bad = await completeWithKey(transactionId, user.key.authenticate(options, { tamper: true }));
      expect(bad.status).toBe(401);
      expect(bad.body.error).toMatchObject({ code: 'webauthn_invalid', details: { attemptsLeft: left } });
    }
    const good = await completeWithKey(transactionId, user.key.authenticate(options!));
    expect(good.status, JSON.stringify(good.body)).toBe(403);
    expect(good.body.error.code).toBe('transaction_locked');
    const more = await loginOptions(transactionId);
    expect(more.status).toBe(403);
    expect(more.body.error.code).toBe('transaction_locked');
  });

  it('lets the sign-in challenge expire after 5 minutes', async () => {
    const user = await keyUser();
    const transactionId = await startLogin(user.email, user.password);
    const assertion = user.key.authenticate(await optionsFor(transactionId));
    t.clock.advance(5 * 60_000 + 1000);
    const late = await completeWithKey(transactionId, assertion);
    // The transaction (5 minutes too) is gone with its challenge.
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('transaction_expired');
  });

  it('yields exactly one session when the same good assertion is sent in a parallel burst', async () => {
    const user = await keyUser();
    const transactionId = await startLogin(user.email, user.password);
    const assertion = user.key.authenticate(await optionsFor(transactionId));
    const answers = await Promise.all(Array.from({ length: 6 }, () => completeWithKey(transactionId, assertion)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
  });

  it('needs the assertion: neither a code nor an empty answer will do', async () => {
    const user = await keyUser();
    const transactionId = await startLogin(user.email, user.password);
    await optionsFor(transactionId);
    // Each counts as a wrong answer on the transaction.
    const bare = await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, method: 'webauthn' } });
    expect(bare.status).toBe(401);
    expect(bare.body.error).toMatchObject({ code: 'webauthn_invalid', details: { attemptsLeft: 4 } });
    // A key-only account has no code to give: a code is read as a missing assertion.
    const code = await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code: '123456' } });
    expect(code.status).toBe(401);
    expect(code.body.error).toMatchObject({ code: 'webauthn_invalid', details: { attemptsLeft: 3 } });
  });
});

describe('adding a second key', () => {
  it('needs a recent second factor: 401 second_factor_required, then the first key answers details.webauthn', async () => {
    const user = await keyUser();
    const token = await signInWithKey(user);
    // The sign-in's key answer is older than the step-up window (STEP_UP_WINDOW_SECONDS): a new proof is needed.
    t.clock.advance(601_000);

    const bare = await registrationOptions(token, {}, OTHER_BROWSER);
    expect(bare.status).toBe(401);
    expect(bare.body.error).toMatchObject({ code: 'second_factor_required', details: { method: 'webauthn', availableMethods: ['webauthn'] } });

    const asked = await registrationOptions(token, { method: 'webauthn' }, OTHER_BROWSER);
    expect(asked.status).toBe(401);
    const challenge = asked.body.error.details.webauthn as PublicKeyCredentialRequestOptionsJSON;
    expect(challenge).toMatchObject({ challenge: expect.any(String), rpId: RP_ID, allowCredentials: [expect.objectContaining({ id: user.key.credentialIds[0] })] });

    const bad = await registrationOptions(token, { method: 'webauthn', webauthn: user.key.authenticate(challenge, { tamper: true }) }, OTHER_BROWSER);
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('second_factor_invalid');

    const again = (await registrationOptions(token, { method: 'webauthn' }, OTHER_BROWSER)).body.error.details.webauthn;
    const proved = await registrationOptions(token, { method: 'webauthn', webauthn: user.key.authenticate(again) }, OTHER_BROWSER);
    expect(proved.status).toBe(200);
    expect(proved.body.excludeCredentials).toEqual([expect.objectContaining({ id: user.key.credentialIds[0] })]);
    // The first key refuses to register twice (excludeCredentials); a second key registers.
    expect(() => user.key.register(proved.body)).toThrow(/InvalidStateError/);
    const spare = newKey();
    const saved = await saveCredential(token, 'spare key', spare.register(proved.body), OTHER_BROWSER);
    expect(saved.status).toBe(201);
    expect((await listCredentials(token)).body.credentials.map((c: { name: string }) => c.name)).toEqual(['YubiKey 5C', 'spare key']);

    // Either key now signs in; the options allow both.
    const transactionId = await startLogin(user.email, user.password);
    const options = await optionsFor(transactionId);
    expect(options.allowCredentials?.map((c) => c.id).sort()).toEqual([...user.key.credentialIds, ...spare.credentialIds].sort());
    expect((await completeWithKey(transactionId, spare.authenticate(options))).status).toBe(201);
    t.clock.reset();
  });

  it('passes without proof within the step-up window of a session that just answered the key', async () => {
    const user = await keyUser();
    const token = await signInWithKey(user);
    expect((await registrationOptions(token)).status).toBe(200);
  });
});

describe('removing a key', () => {
  it('needs a recent second factor, then the account signs in with the password alone', async () => {
    const user = await keyUser();
    const token = await signInWithKey(user);
    const elsewhere = await signInWithKey(user);

    // Past the step-up window, removing (it weakens the account) asks for the key again.
    t.clock.advance(601_000);
    const bare = await removeCredential(token, user.credentialId);
    expect(bare.status).toBe(401);
    expect(bare.body.error.code).toBe('second_factor_required');

    const asked = await removeCredential(token, user.credentialId, { method: 'webauthn' });
    expect(asked.status).toBe(401);
    const challenge = asked.body.error.details.webauthn as PublicKeyCredentialRequestOptionsJSON;
    const removed = await removeCredential(token, user.credentialId, { method: 'webauthn', webauthn: user.key.authenticate(challenge) });
    expect(removed.status).toBe(204);

    expect((await listCredentials(token)).body).toEqual({ credentials: [] });
    // A lost key may be in someone's hands: the other sessions end, this one stays.
    expect((await t.request('GET', '/v1/me', { token: elsewhere })).status).toBe(401);
    const login = await passwordLogin(user.email, user.password);
    expect(login.status).toBe(201);
    expect(login.body.token).toEqual(expect.any(String));
    expect(login.body).not.toHaveProperty('methods');
    t.clock.reset();
  });

  it('answers 404 webauthn_credential_not_found for an unknown key, or a key of another user', async () => {
    const a = await keyUser('owner');
    const b = await keyUser('stranger');
    const token = await signInWithKey(b);
    const asked = await removeCredential(token, a.credentialId, { method: 'webauthn' });
    const challenge = asked.body.error?.details?.webauthn as PublicKeyCredentialRequestOptionsJSON | undefined;
    const res = challenge ? await removeCredential(token, a.credentialId, { method: 'webauthn', webauthn: b.key.authenticate(challenge) }) : asked;
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('webauthn_credential_not_found');
    expect((await listCredentials(a.token)).body.credentials).toHaveLength(1);
  });
});

describe('naming keys', () => {
  const rename = (token: string, id: string, name: string) => t.request('PATCH', `/v1/me/webauthn/credentials/${encodeURIComponent(id)}`, { token, body: { name } });

  it('renames a key with the session alone, and keeps names unique per user, letter case aside', async () => {
    const user = await keyUser('names');
    const token = await signInWithKey(user);
    const spare = await addKey(token, newKey(), 'Spare key');
    // A new key may not take a name either (checked when it is saved, the ceremony done).
    const options = await registrationOptions(token);
    expect(options.status).toBe(200);
    const third = await saveCredential(token, 'spare KEY', newKey().register(options.body));
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe('webauthn_name_taken');

    // A label, not a factor change: past the step-up window no proof is asked.
    t.clock.advance(601_000);
    const renamed = await rename(token, user.credentialId, '  Blue YubiKey ');
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: user.credentialId, name: 'Blue YubiKey', lastUsedAt: expect.any(String) });

    // Two rows that read alike would let the user remove the wrong one: a taken name is refused, typed.
    const taken = await rename(token, spare.id, 'blue yubikey');
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('webauthn_name_taken');
    expect((await rename(token, user.credentialId, 'BLUE YUBIKEY')).status, 'its own name in other letters').toBe(200);
    expect((await listCredentials(token)).body.credentials.map((c: { name: string }) => c.name)).toEqual(['BLUE YUBIKEY', 'Spare key']);
    t.clock.reset();
  });

  it("answers 404 for another user's key and 400 for an empty name", async () => {
    const a = await keyUser('name-owner');
    const b = await keyUser('name-stranger');
    const res = await rename(b.token, a.credentialId, 'mine now');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('webauthn_credential_not_found');
    expect((await rename(a.token, a.credentialId, '   ')).body.error.code).toBe('validation_failed');
    expect((await listCredentials(a.token)).body.credentials[0].name).toBe('YubiKey 5C');
  });
});

describe('proving the second factor with the key', () => {
  const stepUp = (token: string, body: Record<string, unknown>) =>
    t.request('POST', '/v1/me/step-up', { token, body: { operation: 'transfer-money', ...body }, headers: OTHER_BROWSER });

  it('answers a step-up challenge: details.webauthn in, {method: "webauthn", webauthn} back; each answer counts once', async () => {
    const user = await keyUser();
    const asked = await stepUp(user.token, {});
    expect(asked.status).toBe(401);
    expect(asked.body.error).toMatchObject({ code: 'second_factor_required', details: { method: 'webauthn', codeGenerated: false, availableMethods: ['webauthn'] } });
    const assertion = user.key.authenticate(asked.body.error.details.webauthn);
    const proved = await stepUp(user.token, { method: 'webauthn', webauthn: assertion });
    expect(proved.status).toBe(200);
    expect(proved.body).toEqual({ verified: true });
    const replayed = await stepUp(user.token, { method: 'webauthn', webauthn: assertion, weakensAccount: true });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe('second_factor_invalid');
  });

  it('lets a step-up challenge expire after 5 minutes', async () => {
    const user = await keyUser();
    const asked = await stepUp(user.token, {});
    const assertion = user.key.authenticate(asked.body.error.details.webauthn);
    t.clock.advance(5 * 60_000 + 1000);
    const late = await stepUp(user.token, { method: 'webauthn', webauthn: assertion });
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe('second_factor_invalid');
  });

  it('refuses, as a step-up proof, an assertion made for a sign-in transaction', async () => {
    const user = await keyUser();
    const transactionId = await startLogin(user.email, user.password);
    const forLogin = user.key.authenticate(await optionsFor(transactionId));
    const res = await stepUp(user.token, { method: 'webauthn', webauthn: forLogin });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('second_factor_invalid');
  });

  it('lets a user whose only factor is a key change the password with it', async () => {
    const user = await keyUser();
    const change = { currentPassword: user.password, newPassword: 'a new passphrase for the key user' };
    const asked = await t.request('POST', '/v1/me/password', { token: user.token, body: change });
    expect(asked.status).toBe(401);
    expect(asked.body.error).toMatchObject({ code: 'second_factor_required', details: { method: 'webauthn', webauthn: expect.any(Object) } });
    const proved = await t.request('POST', '/v1/me/password', {
      token: user.token,
      body: { ...change, method: 'webauthn', webauthn: user.key.authenticate(asked.body.error.details.webauthn) },
    });
    expect(proved.status).toBe(204);
    expect((await passwordLogin(user.email, change.newPassword)).status).toBe(202);
  });
});

describe('configuration', () => {
  it('accepts exactly the origins in WEBAUTHN_ORIGINS (the relying party stays the host)', async () => {
    const app = 'http://127.0.0.1:4444';
    const admin = 'http://127.0.0.1:5555';
    const t2 = await startTestServer({ WEBAUTHN_ORIGINS: `${app},${admin}` });
    try {
      const email = uniqueEmail('origins');
      const password = 'touch the key please';
      await t2.request('POST', '/v1/users', { body: { email, password } });
      const { token } = (await t2.request('POST', '/v1/sessions', { body: { login: email, password } })).body;
      const fromApp = new SoftAuthenticator({ origin: app, rpId: RP_ID });
      const options = await t2.request('POST', '/v1/me/webauthn/registration-options', { token, body: {} });
      expect(options.body.rp.id).toBe(RP_ID);
      // The server's own URL is not in the list: a key registered there is refused.
      const fromServer = await t2.request('POST', '/v1/me/webauthn/credentials', { token, body: { name: 'x', response: newKeyAt(t2.url).register(options.body) } });
      expect(fromServer.body.error.code).toBe('webauthn_registration_failed');
      const again = await t2.request('POST', '/v1/me/webauthn/registration-options', { token, body: {} });
      expect((await t2.request('POST', '/v1/me/webauthn/credentials', { token, body: { name: 'app', response: fromApp.register(again.body) } })).status).toBe(201);

      const signIn = async (origin: string) => {
        const login = await t2.request('POST', '/v1/sessions', { body: { login: email, password } });
        const request = await t2.request('POST', '/v1/sessions/webauthn-options', { body: { transactionId: login.body.transactionId } });
        return t2.request('POST', '/v1/sessions/second-factor', {
          body: { transactionId: login.body.transactionId, method: 'webauthn', webauthn: fromApp.authenticate(request.body, { origin }) },
        });
      };
      expect((await signIn(app)).status).toBe(201);
      expect((await signIn(admin)).status).toBe(201);
      expect((await signIn(t2.url)).body.error.code).toBe('webauthn_invalid');
    } finally {
      await t2.close();
    }
  });
});

describe('the other façades', () => {
  it('name webauthn among the available methods of a step-up challenge', async () => {
    const user = await keyUser();
    const res = await t.request('POST', '/v1/me/step-up', { token: user.token, body: { operation: 'transfer-money' }, headers: OTHER_BROWSER });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'second_factor_required', details: { availableMethods: expect.arrayContaining(['webauthn']) } });
  });

  it('DDP: a password login of a user with an authenticator app and a key names webauthn in availableMethods', async () => {
    const user = await enrolledUser(t, 'ddpkey');
    t.clock.advance(30_000);
    await addKey(user.token, newKey(), 'desk key', { code: authenticatorCode(user.secret, t.clock) });
    const ddp = await connectSimpleDdp(t.wsUrl);
    ddpClients.push(ddp);
    const error = await ddpError(ddp.call('login', { user: { email: user.email }, password: { digest: sha256(user.password), algorithm: 'sha-256' } }));
    expect(error).toMatchObject({ error: 'totp-required', details: { method: 'totp', availableMethods: expect.arrayContaining(['totp', 'webauthn']) } });
  });

  it('DDP carries a passkey answer too: twoFactorMethod "webauthn" asks for its options, the assertion is the code', async () => {
    const user = await keyUser('ddppasskey');
    const ddp = await connectSimpleDdp(t.wsUrl);
    ddpClients.push(ddp);
    // A key-only account: the password login is challenged with the key's options in the details ...
    const challenged = await ddpError(ddp.call('login', { user: { email: user.email }, password: { digest: sha256(user.password), algorithm: 'sha-256' } }));
    expect(challenged).toMatchObject({ error: 'totp-required', details: { method: 'webauthn', webauthn: { challenge: expect.any(String) } } });
    // ... and the assertion, sent as the code of `{totp: {login, code}}` with method webauthn, signs in.
    const login = { user: { email: user.email }, password: { digest: sha256(user.password), algorithm: 'sha-256' } };
    const signedIn = (await ddp.call('login', { totp: { login, code: user.key.authenticate(challenged.details.webauthn), method: 'webauthn' } })) as { id: string; token: string };
    expect(signedIn.token).toEqual(expect.any(String));

    // A protected method past the step-up window: `{twoFactorMethod: 'webauthn'}` alone asks for options bound to
    // this session; the assertion in `twoFactorCode` proves it.
    t.clock.advance(601_000);
    try {
      const asked = await ddpError(ddp.call('2fa:enable', { twoFactorMethod: 'webauthn' }));
      expect(asked).toMatchObject({ error: 'totp-required', details: { method: 'webauthn', webauthn: { challenge: expect.any(String) } } });
      const enrolment = (await ddp.call('2fa:enable', { twoFactorCode: user.key.authenticate(asked.details.webauthn), twoFactorMethod: 'webauthn' })) as { secret: string };
      expect(enrolment.secret).toMatch(/^[A-Z2-7]+$/);
    } finally {
      t.clock.reset();
    }
  });
});
