import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { SecurityEvent } from './events.ts';

/** Where the audit chain does not hold, and how (docs/security.md, "The audit chain"). */
export interface ChainBreak {
  chain: string;
  seq: number | null;
  eventId: string | null;
  /**
   * `edited`: the event's content no longer gives its hash. `link-broken`: its previous-hash is not the hash of the
   * event before it (one was removed, added or moved). `missing`: places in the chain are empty. `tail-cut` /
   * `head-mismatch`: the chain's last event is not the one its head records. `against-published`: a published head
   * names an event that is not there any more as it was.
   */
  problem: 'edited' | 'link-broken' | 'missing' | 'tail-cut' | 'head-mismatch' | 'against-published';
  expected: string | null;
  found: string | null;
}

export interface ChainHead {
  chain: string;
  seq: number;
  hash: string | null;
}

/** A chained event, as exported: the event and its place in its chain (hashes in hex). */
export interface ChainedEvent extends SecurityEvent {
  chain: string;
  seq: number;
  prevHash: string | null;
  hash: string;
}

/** Storage port of the audit chain: the chaining itself happens in the database, on every insert (migration 0010). */
export interface AuditChainStore {
  /** Every place the chains (or one user's chain) break, oldest first; and how much was checked. */
  verify(chain: string | null): Promise<{ chains: number; events: number; breaks: ChainBreak[] }>;
  heads(): Promise<ChainHead[]>;
  /** The hash of the event at `seq` of `chain`, or null. */
  hashAt(chain: string, seq: number): Promise<string | null>;
  /** Events from `since` on, in batches, in chain order (for an export that streams). */
  page(since: Date | null, after: { chain: string; seq: number } | null, limit: number): Promise<ChainedEvent[]>;
}

/** A digest of every chain head, signed: published outside, it shows later that nothing before it changed. */
export interface SignedHead {
  at: string;
  chains: number;
  events: number;
  /** SHA-256 over the sorted lines `<chain> <seq> <hash>`. */
  digest: string;
  keyId: string;
  /** Ed25519 over `twofold-audit-head\n<at>\n<digest>`, with a key derived from the key ring (`publicKey`, SPKI base64). */
  signature: string;
  publicKey: string;
  heads: ChainHead[];
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function signingKey(keyRing: KeyRing, keyId: string) {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, keyRing.derive('audit signing v1', keyId)]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

const signedText = (at: string, digest: string) => `twofold-audit-head\n${at}\n${digest}`;

export function headsDigest(heads: readonly ChainHead[]): string {
  const lines = [...heads].sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0)).map((h) => `${h.chain} ${h.seq} ${h.hash ?? ''}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

export async function signedHead(deps: { store: AuditChainStore; keyRing: KeyRing; clock: Clock }): Promise<SignedHead> {
  const heads = await deps.store.heads();
  const at = deps.clock.now().toISOString();
  const digest = headsDigest(heads);
  const keyId = deps.keyRing.activeKeyId;
  const { privateKey, publicKey } = signingKey(deps.keyRing, keyId);
  return {
    at,
    chains: heads.length,
    events: heads.reduce((n, h) => n + h.seq, 0),
    digest,
    keyId,
    signature: sign(null, Buffer.from(signedText(at, digest)), privateKey).toString('base64'),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    heads,
  };
}

/** Whether a published head is genuine (its signature) and still true of the log (every head it names is still there). */
export async function checkPublishedHead(store: AuditChainStore, published: SignedHead): Promise<ChainBreak[]> {
  const key = createPublicKey({ key: Buffer.from(published.publicKey, 'base64'), format: 'der', type: 'spki' });
  const genuine =
    headsDigest(published.heads) === published.digest &&
    verify(null, Buffer.from(signedText(published.at, published.digest)), key, Buffer.from(published.signature, 'base64'));
  if (!genuine) return [{ chain: '*', seq: null, eventId: null, problem: 'against-published', expected: published.digest, found: 'a signature or digest that does not match' }];
  const breaks: ChainBreak[] = [];
  for (const head of published.heads) {
    if (head.seq === 0) continue;
    const found = await store.hashAt(head.chain, head.seq);
    if (found !== head.hash) breaks.push({ chain: head.chain, seq: head.seq, eventId: null, problem: 'against-published', expected: head.hash, found });
  }
  return breaks;
}
