import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { AccountEvents } from '../../audit/account-events.ts';
import { authorise, type Asker } from '../../challenge/asker.ts';
import type { ChallengeDeps } from '../../challenge/require.ts';
import { TwofoldError } from '../../errors.ts';
import type { RequestContext } from '../../sessions/session.ts';
import type { UserRecord } from '../../users/user.ts';
import type { WebAuthnDeps } from './challenges.ts';
import { finishRegistration, freeKeyName, registrationOptions } from './registration.ts';
import type { WebAuthnCredential } from './store.ts';

export interface WebAuthnManagementDeps {
  challenge: ChallengeDeps;
  webauthn: WebAuthnDeps;
  events: AccountEvents;
}

/** Options to register a new key: adding a factor needs a proof of an existing one (or the password) first. */
export async function keyRegistrationOptions(deps: WebAuthnManagementDeps, user: UserRecord, asker: Asker): Promise<PublicKeyCredentialCreationOptionsJSON> {
  await authorise(deps.challenge, user, 'add-passkey', asker);
  return registrationOptions(deps.webauthn, user);
}

/**
 * Stores a verified new key; the user is told by mail, like for any new factor. The proof was asked for when
 * the options were issued: the browser's answer is bound to that registration challenge.
 */
export async function addKey(deps: WebAuthnManagementDeps, user: UserRecord, name: unknown, response: unknown, context: RequestContext | null): Promise<WebAuthnCredential> {
  const key = await finishRegistration(deps.webauthn, user, name, response);
  await deps.events.factorChanged(user, 'webauthn', 'enabled', context);
  return key;
}

/** The user's key by id, or `webauthn_credential_not_found` (also for another user's key). */
export async function findKey(deps: WebAuthnManagementDeps, user: UserRecord, id: string): Promise<WebAuthnCredential> {
  const key = (await deps.webauthn.webauthn.listForUser(user.id)).find((k) => k.id === id);
  if (!key) throw new TwofoldError('webauthn_credential_not_found');
  return key;
}

/** Renames a key: a label only (no factor changes), so the session is enough. */
export async function renameKey(deps: WebAuthnManagementDeps, user: UserRecord, id: string, name: unknown): Promise<WebAuthnCredential> {
  const label = await freeKeyName(deps.webauthn, user.id, name, id);
  // Checked again in the rename's one statement: a concurrent rename or registration may have taken the name.
  const result = await deps.webauthn.webauthn.rename(id, user.id, label);
  if (result === 'name_taken') throw new TwofoldError('webauthn_name_taken');
  if (result === 'not_found') throw new TwofoldError('webauthn_credential_not_found');
  return findKey(deps, user, id);
}

/**
 * Removes a key. A key may have been lost or stolen, so this counts as turning a factor off: a proof first,
 * then other sessions end and remembered devices are forgotten.
 */
export async function removeKey(deps: WebAuthnManagementDeps, user: UserRecord, id: string, asker: Asker): Promise<void> {
  await findKey(deps, user, id);
  await authorise(deps.challenge, user, 'remove-passkey', asker);
  if (!(await deps.webauthn.webauthn.remove(id, user.id))) throw new TwofoldError('webauthn_credential_not_found');
  await deps.events.factorChanged(user, 'webauthn', 'disabled', asker.context, asker.session?.id ?? null);
}
