import { randomUUID } from 'node:crypto';
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { TwofoldError, isTwofoldError } from '../../errors.ts';
import type { UserRecord } from '../../users/user.ts';
import { rememberChallenge, spendChallenge, type WebAuthnDeps } from './challenges.ts';
import { simpleWebAuthn } from './library.ts';
import { sameKeyName, type WebAuthnCredential } from './store.ts';

const MAX_KEYS_PER_USER = 20;

/** Options for `navigator.credentials.create()`: a new key for this user, none of the registered ones again. */
export async function registrationOptions(deps: WebAuthnDeps, user: UserRecord): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await deps.webauthn.listForUser(user.id);
  if (existing.length >= MAX_KEYS_PER_USER) throw new TwofoldError('webauthn_limit_reached', { max: MAX_KEYS_PER_USER });
  const { generateRegistrationOptions } = await simpleWebAuthn();
  const options = await generateRegistrationOptions({
    rpName: deps.rp.name,
    rpID: deps.rp.id,
    userName: user.email,
    userDisplayName: user.username ?? user.email,
    // The user handle is the account's uuid: stable, and no personal data on the authenticator.
    userID: new Uint8Array(Buffer.from(user.id.replaceAll('-', ''), 'hex')),
    timeout: deps.rp.challengeTtlSeconds * 1000,
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: c.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await rememberChallenge(deps, options.challenge, { userId: user.id, purpose: 'register' });
  return options;
}

/**
 * A key's name as the user will pick it from a list: 1 to 64 characters, and not the name of another of the user's
 * keys (letter case aside), else two rows read alike ("Work laptop", "Work laptop") and one gets removed for the other.
 */
export async function freeKeyName(deps: WebAuthnDeps, userId: string, name: unknown, exceptId?: string): Promise<string> {
  const label = typeof name === 'string' ? name.trim() : '';
  if (label.length === 0 || label.length > 64) throw new TwofoldError('validation_failed', { field: 'name', reason: '1 to 64 characters' });
  const taken = (await deps.webauthn.listForUser(userId)).some((k) => k.id !== exceptId && sameKeyName(k.name, label));
  if (taken) throw new TwofoldError('webauthn_name_taken');
  return label;
}

/** Verifies the browser's answer to `registrationOptions` and stores the new key under `name`. */
export async function finishRegistration(deps: WebAuthnDeps, user: UserRecord, name: unknown, response: unknown): Promise<WebAuthnCredential> {
  return storeKey(deps, await verifyRegistration(deps, user, name, response));
}

/**
 * Stores a verified key; a key registered already (by anyone) is `webauthn_credential_exists`, and a name another
 * of the user's keys took since `freeKeyName` looked (a parallel registration or rename) is `webauthn_name_taken`.
 */
export async function storeKey(deps: WebAuthnDeps, credential: WebAuthnCredential): Promise<WebAuthnCredential> {
  const stored = await deps.webauthn.insert(credential);
  if (stored === 'duplicate') throw new TwofoldError('webauthn_credential_exists');
  if (stored === 'name_taken') throw new TwofoldError('webauthn_name_taken');
  return credential;
}

/** Verifies the browser's answer to `registrationOptions` (its challenge is spent): the key to store, not stored yet. */
export async function verifyRegistration(deps: WebAuthnDeps, user: UserRecord, name: unknown, response: unknown): Promise<WebAuthnCredential> {
  const label = await freeKeyName(deps, user.id, name);
  const { verifyRegistrationResponse } = await simpleWebAuthn();
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: spendChallenge(deps, { userId: user.id, purpose: 'register' }),
      expectedOrigin: deps.rp.origins,
      expectedRPID: deps.rp.id,
      requireUserVerification: false,
    });
  } catch (error) {
    if (isTwofoldError(error)) throw error;
    throw new TwofoldError('webauthn_registration_failed', { reason: reasonOf(error) });
  }
  if (!verified.verified) throw new TwofoldError('webauthn_registration_failed', { reason: 'not verified' });
  const info = verified.registrationInfo;
  const credential: WebAuthnCredential = {
    id: randomUUID(),
    userId: user.id,
    credentialId: info.credential.id,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    transports: info.credential.transports ?? [],
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    name: label,
    createdAt: deps.clock.now(),
    lastUsedAt: null,
  };
  return credential;
}

/** The library's reason, which names the failed check (origin, challenge, signature...) and no secret. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, 200);
}
