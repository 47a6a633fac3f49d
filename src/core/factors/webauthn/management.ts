import type { AccountEvents } from '../../audit/account-events.ts';
import { TwofoldError } from '../../errors.ts';
import type { RequestContext } from '../../sessions/session.ts';
import type { UserRecord } from '../../users/user.ts';
import type { WebAuthnDeps } from './challenges.ts';
import { finishRegistration } from './registration.ts';
import type { WebAuthnCredential } from './store.ts';

export interface WebAuthnManagementDeps {
  webauthn: WebAuthnDeps;
  events: AccountEvents;
}

/** Stores a verified new key; the user is told by mail, like for any new factor. */
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

/**
 * Removes a key (the caller has checked a fresh second factor). A key may have been lost or stolen, so
 * this counts as turning a factor off: other sessions end and remembered devices are forgotten.
 */
export async function removeKey(deps: WebAuthnManagementDeps, user: UserRecord, id: string, change: { context: RequestContext | null; keepSessionId: string | null }): Promise<void> {
  if (!(await deps.webauthn.webauthn.remove(id, user.id))) throw new TwofoldError('webauthn_credential_not_found');
  await deps.events.factorChanged(user, 'webauthn', 'disabled', change.context, change.keepSessionId);
}
