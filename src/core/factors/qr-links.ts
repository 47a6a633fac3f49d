import type { Clock } from '../clock.ts';
import { hashToken } from '../crypto/hash.ts';
import { generateToken } from '../crypto/random.ts';
import { TwofoldError } from '../errors.ts';
import type { UserStore } from '../users/store.ts';
import { keyUri, openSecret, type TotpDeps } from './totp-factor.ts';
import type { QrLinkStore, TotpStore } from './totp-store.ts';

export interface QrLinkDeps extends TotpDeps {
  qrLinks: QrLinkStore;
  users: UserStore;
  totp: TotpStore;
  clock: Clock;
  ttlSeconds: number;
}

/**
 * An unguessable, short-lived id for the QR image of a pending secret. The image is drawn by our own
 * server from this id: the secret never travels to a third-party QR service.
 */
export async function createQrLink(deps: QrLinkDeps, credentialId: string): Promise<string> {
  const id = generateToken();
  const expiresAt = new Date(deps.clock.now().getTime() + deps.ttlSeconds * 1000);
  await deps.qrLinks.insert({ idHash: hashToken(id), credentialId, expiresAt });
  return id;
}

/** The otpauth:// URI a live QR link shows; only while its credential is still pending confirmation. */
export async function resolveQrLink(deps: QrLinkDeps, id: string): Promise<string> {
  const credentialId = id.length <= 128 ? await deps.qrLinks.find(hashToken(id), deps.clock.now()) : null;
  const credential = credentialId ? await deps.totp.findById(credentialId) : null;
  const user = credential?.state === 'pending' ? await deps.users.findById(credential.userId) : null;
  if (!credential || !user) throw new TwofoldError('not_found');
  return keyUri(deps, user, openSecret(deps, credential), credential.params);
}
