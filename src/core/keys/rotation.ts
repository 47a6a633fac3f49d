import { webhookSecretContext } from '../admin/webhooks.ts';
import type { KeyRing } from '../crypto/keyring.ts';

/**
 * A secret sealed with the key ring: an authenticator's TOTP key, a new authenticator's key waiting in a factor
 * change (the veto window; `id` is its credential id, which the ciphertext is bound to), or a webhook endpoint's
 * signing secret.
 */
export interface SealedSecret {
  kind: 'totp' | 'pending-totp' | 'webhook';
  id: string;
  sealed: string;
}

/** Storage port for re-encrypting sealed secrets and counting what still depends on a key. */
export interface KeyRotationStore {
  /** A batch of sealed secrets whose key id is not `activeKeyId`. */
  listNotUnder(activeKeyId: string, limit: number): Promise<SealedSecret[]>;
  /** Replaces a ciphertext only if it is still the one read (a concurrent change wins; rerun picks it up). */
  replaceSealed(secret: Omit<SealedSecret, 'sealed'>, expected: string, replacement: string): Promise<boolean>;
  /** Per key id: sealed secrets, unused backup codes and live email codes that name it (those waiting in a factor change too). */
  usage(now: Date): Promise<Array<{ keyId: string; secrets: number; backupCodes: number; emailCodes: number }>>;
}

const BATCH = 200;

/** The AAD each secret is bound to its row with: rotation keeps it. */
const contextOf = ({ kind, id }: Omit<SealedSecret, 'sealed'>) => (kind === 'webhook' ? webhookSecretContext(id) : `totp:${id}`);

/**
 * Re-encrypts every sealed secret (TOTP keys, those waiting in factor changes, webhook signing secrets) under the ring's active key, in small batches of compare-and-set
 * updates: the servers keep running, and an interrupted run is simply run again.
 */
export async function reencryptSecrets(store: KeyRotationStore, keyRing: KeyRing): Promise<{ reencrypted: number }> {
  let reencrypted = 0;
  for (;;) {
    const batch = await store.listNotUnder(keyRing.activeKeyId, BATCH);
    if (batch.length === 0) return { reencrypted };
    let progressed = false;
    for (const secret of batch) {
      const context = contextOf(secret);
      const replacement = keyRing.encrypt(keyRing.decrypt(secret.sealed, context), context);
      if (await store.replaceSealed(secret, secret.sealed, replacement)) {
        reencrypted += 1;
        progressed = true;
      }
    }
    if (!progressed) return { reencrypted };
  }
}

/**
 * Whether a key can leave the ring. Sealed secrets are re-encrypted by rotation; backup and email codes
 * are one-way hashes peppered by their key and cannot be: they keep a key needed until they are used,
 * regenerated or expire.
 */
export function retirementBlockers(usage: Awaited<ReturnType<KeyRotationStore['usage']>>, keyId: string): string[] {
  const entry = usage.find((u) => u.keyId === keyId);
  if (!entry) return [];
  const blockers: string[] = [];
  if (entry.secrets > 0) blockers.push(`${entry.secrets} secrets (TOTP keys, webhook signing secrets) are still sealed with it (run keys rotate)`);
  if (entry.backupCodes > 0) blockers.push(`${entry.backupCodes} unused backup codes are hashed with it (they work while the key stays; users can regenerate)`);
  if (entry.emailCodes > 0) blockers.push(`${entry.emailCodes} live email codes are hashed with it (they expire within minutes)`);
  return blockers;
}
