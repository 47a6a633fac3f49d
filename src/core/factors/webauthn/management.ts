import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { AccountEvents } from '../../audit/account-events.ts';
import { authorise, type Asker } from '../../challenge/asker.ts';
import type { ChallengeDeps } from '../../challenge/require.ts';
import { TwofoldError } from '../../errors.ts';
import type { RequestContext } from '../../sessions/session.ts';
import type { UserRecord } from '../../users/user.ts';
import type { WebAuthnDeps } from './challenges.ts';
import { freeKeyName, registrationOptions, storeKey, verifyRegistration } from './registration.ts';
import { appliedNow, heldUntil, requestChange, type ChangeOutcome, type VetoWindowDeps } from '../../factor-changes/request.ts';
import { sameKeyName, type WebAuthnCredential } from './store.ts';

export interface WebAuthnManagementDeps {
  challenge: ChallengeDeps;
  webauthn: WebAuthnDeps;
  events: AccountEvents;
  /** The veto window: a change for a user who already has a factor waits (`factor-changes/request.ts`). */
  changes: VetoWindowDeps;
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
export async function addKey(
  deps: WebAuthnManagementDeps,
  user: UserRecord,
  name: unknown,
  response: unknown,
  context: RequestContext | null,
  sessionId: string | null = null,
): Promise<WebAuthnCredential & ChangeOutcome> {
  // Before the browser's answer is verified (which spends its challenge): a taken name costs no second touch.
  if (typeof name === 'string') await notWaiting(deps, user.id, name.trim());
  const key = await verifyRegistration(deps.webauthn, user, name, response);
  const applyAt = await heldUntil(deps.changes, deps.challenge.store, user.id);
  if (applyAt) return { ...key, ...(await requestChange(deps.changes, user, { kind: 'passkey-add', key }, applyAt, context, sessionId)) };
  await storeKey(deps.webauthn, key);
  await deps.events.factorChanged(user, 'webauthn', 'enabled', context);
  return { ...key, ...appliedNow };
}

/**
 * A name a key waiting in the veto window holds is taken too: else both would be accepted now, and the later of
 * the two would fail when it falls due (the names are unique per user in the database).
 */
async function notWaiting(deps: WebAuthnManagementDeps, userId: string, name: string): Promise<void> {
  const waiting = await deps.changes.store.listPending(userId);
  if (waiting.some((c) => c.keyName !== null && sameKeyName(c.keyName, name))) throw new TwofoldError('webauthn_name_taken');
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
  await notWaiting(deps, user.id, label);
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
export async function removeKey(deps: WebAuthnManagementDeps, user: UserRecord, id: string, asker: Asker): Promise<ChangeOutcome> {
  await findKey(deps, user, id);
  await authorise(deps.challenge, user, 'remove-passkey', asker);
  const applyAt = await heldUntil(deps.changes, deps.challenge.store, user.id);
  if (applyAt) return requestChange(deps.changes, user, { kind: 'passkey-remove', keyId: id }, applyAt, asker.context, asker.session?.id ?? null);
  if (!(await deps.webauthn.webauthn.remove(id, user.id))) throw new TwofoldError('webauthn_credential_not_found');
  await deps.events.factorChanged(user, 'webauthn', 'disabled', asker.context, asker.session?.id ?? null);
  return appliedNow;
}
