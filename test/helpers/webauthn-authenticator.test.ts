// The software authenticator the WebAuthn tests rely on, checked against the library the server uses
// (@simplewebauthn/server): what it signs verifies, and what it forges (counter, origin, rpId,
// challenge, signature) is refused — so a test that sees the server refuse a forgery proves the server.
import { describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { decodeAttestationObject, isoBase64URL, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { SoftAuthenticator } from './webauthn-authenticator.ts';

const origin = 'http://127.0.0.1:8080';
const rpID = '127.0.0.1';

/** Registers a credential the way a relying party would, and keeps what it would store. */
async function registered(authenticator = new SoftAuthenticator({ origin, rpId: rpID })) {
  const options = await generateRegistrationOptions({ rpName: 'twofold', rpID, userName: 'jack@example.org', attestationType: 'none' });
  const response = authenticator.register(options);
  const result = await verifyRegistrationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID });
  expect(result.verified).toBe(true);
  const credential: WebAuthnCredential = { ...result.registrationInfo!.credential };
  return { authenticator, credential, result, options, response };
}

async function assertion(authenticator: SoftAuthenticator, credential: WebAuthnCredential, override: Parameters<SoftAuthenticator['authenticate']>[1] = {}) {
  const options = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: credential.id }], userVerification: 'preferred' });
  const response = authenticator.authenticate(options, override);
  return { options, response };
}

const verifyAssertion = (response: Parameters<typeof verifyAuthenticationResponse>[0]['response'], challenge: string, credential: WebAuthnCredential) =>
  verifyAuthenticationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpID, credential, requireUserVerification: true });

describe('SoftAuthenticator registration', () => {
  it("answers creation options with a 'none' attestation that verifies: ES256 key, UP+UV+AT, no backup flags", async () => {
    const { authenticator, result, response } = await registered();
    const info = result.registrationInfo!;
    expect(info.fmt).toBe('none');
    expect(info.userVerified).toBe(true);
    expect(info.credentialDeviceType).toBe('singleDevice');
    expect(info.credentialBackedUp).toBe(false);
    expect(info.credential.id).toBe(response.id);
    expect(info.credential.counter).toBe(0);
    expect(authenticator.credentialIds).toEqual([response.id]);
    const authData = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject)).get('authData');
    const parsed = parseAuthenticatorData(authData);
    expect(parsed.flags).toMatchObject({ up: true, uv: true, at: true, be: false, bs: false });
    expect(response.response.publicKeyAlgorithm).toBe(-7);
  });

  it('reports a synced passkey (BE/BS) when asked', async () => {
    const { result } = await registered(new SoftAuthenticator({ origin, rpId: rpID, backupEligible: true, backedUp: true }));
    expect(result.registrationInfo!.credentialDeviceType).toBe('multiDevice');
    expect(result.registrationInfo!.credentialBackedUp).toBe(true);
  });

  it('is refused with another origin, rpId or challenge', async () => {
    const authenticator = new SoftAuthenticator({ origin, rpId: rpID });
    for (const override of [{ origin: 'http://evil.example' }, { rpId: 'evil.example' }, { challenge: isoBase64URL.fromUTF8String('another challenge') }]) {
      const options = await generateRegistrationOptions({ rpName: 'twofold', rpID, userName: 'jack@example.org' });
      const response = authenticator.register(options, override);
      await expect(verifyRegistrationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID })).rejects.toThrow();
    }
  });

  it('refuses, as a browser would, to register a credential it already holds (excludeCredentials) or options for another rpId', async () => {
    const { authenticator, credential } = await registered();
    const again = await generateRegistrationOptions({ rpName: 'twofold', rpID, userName: 'jack@example.org', excludeCredentials: [{ id: credential.id }] });
    expect(() => authenticator.register(again)).toThrow(/InvalidStateError/);
    const elsewhere = await generateRegistrationOptions({ rpName: 'twofold', rpID: 'example.org', userName: 'jack@example.org' });
    expect(() => authenticator.register(elsewhere)).toThrow(/SecurityError/);
  });
});

describe('SoftAuthenticator assertions', () => {
  it('verify, with the signature counter going up by one each time', async () => {
    const { authenticator, credential } = await registered();
    for (const expected of [1, 2, 3]) {
      const { options, response } = await assertion(authenticator, credential);
      const result = await verifyAssertion(response, options.challenge, credential);
      expect(result.verified).toBe(true);
      expect(result.authenticationInfo).toMatchObject({ credentialID: credential.id, newCounter: expected, userVerified: true, origin, rpID });
      credential.counter = result.authenticationInfo.newCounter;
    }
    expect(authenticator.counterOf(credential.id)).toBe(3);
  });

  it('are refused when the counter does not increase (a cloned key)', async () => {
    const { authenticator, credential } = await registered();
    const first = await assertion(authenticator, credential);
    credential.counter = (await verifyAssertion(first.response, first.options.challenge, credential)).authenticationInfo.newCounter;
    const same = await assertion(authenticator, credential, { counter: credential.counter });
    await expect(verifyAssertion(same.response, same.options.challenge, credential)).rejects.toThrow(/counter/);
    const backwards = await assertion(authenticator, credential, { counter: 0 });
    await expect(verifyAssertion(backwards.response, backwards.options.challenge, credential)).rejects.toThrow(/counter/);
    // The override touched only those assertions: the next real one still verifies.
    const next = await assertion(authenticator, credential);
    expect((await verifyAssertion(next.response, next.options.challenge, credential)).verified).toBe(true);
  });

  it('are refused from a wrong origin, for a wrong rpId or for another challenge', async () => {
    const { authenticator, credential } = await registered();
    const wrongOrigin = await assertion(authenticator, credential, { origin: 'http://127.0.0.1:9999' });
    await expect(verifyAssertion(wrongOrigin.response, wrongOrigin.options.challenge, credential)).rejects.toThrow(/origin/);
    const wrongRp = await assertion(authenticator, credential, { rpId: 'evil.example' });
    await expect(verifyAssertion(wrongRp.response, wrongRp.options.challenge, credential)).rejects.toThrow(/RP ID/i);
    const other = await assertion(authenticator, credential);
    const { options } = await assertion(authenticator, credential);
    await expect(verifyAssertion(other.response, options.challenge, credential)).rejects.toThrow(/challenge/);
  });

  it('are refused with a tampered signature', async () => {
    const { authenticator, credential } = await registered();
    const { options, response } = await assertion(authenticator, credential, { tamper: true });
    const result = await verifyAssertion(response, options.challenge, credential).catch((error: Error) => error);
    expect(result instanceof Error || result.verified === false).toBe(true);
  });

  it('are refused when signed by another key under the same credential id', async () => {
    const a = await registered();
    const b = await registered();
    const { options, response } = await assertion(b.authenticator, b.credential);
    const result = await verifyAssertion({ ...response, id: a.credential.id, rawId: a.credential.id }, options.challenge, a.credential);
    expect(result.verified).toBe(false);
  });

  it('answer with an allowed credential only, unless told which one to use', async () => {
    const { authenticator, credential, options: firstOptions } = await registered();
    const second = await registered(authenticator);
    expect(authenticator.credentialIds).toEqual([credential.id, second.credential.id]);
    const options = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: second.credential.id }] });
    expect(authenticator.authenticate(options).id).toBe(second.credential.id);
    expect(authenticator.authenticate(options, { credentialId: credential.id }).id).toBe(credential.id);
    const foreign = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: isoBase64URL.fromBuffer(new Uint8Array(32)) }] });
    expect(() => authenticator.authenticate(foreign)).toThrow(/NotAllowedError/);
    // Discoverable (empty allowCredentials): the first credential, with the user handle it was made for.
    const discoverable = authenticator.authenticate(await generateAuthenticationOptions({ rpID }));
    expect(discoverable.id).toBe(credential.id);
    expect(discoverable.response.userHandle).toBe(firstOptions.user.id);
  });
});
