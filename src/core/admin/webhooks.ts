import { createHmac, randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { generateToken } from '../crypto/random.ts';
import { TwofoldError } from '../errors.ts';

/** What an endpoint can ask for; which security events each covers is migration 0014's `twofold_webhook_kind`. */
export const WEBHOOK_KINDS = ['sign-in', 'failure', 'lockout', 'factor-change', 'reset', 'session-revoke'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export interface WebhookEndpoint {
  id: string;
  url: string;
  kinds: WebhookKind[];
  createdAt: Date;
  lastAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  lastSuccessAt: Date | null;
}

export interface WebhookDelivery {
  /** The idempotency id: the same on every attempt of this delivery. */
  id: string;
  endpointId: string;
  kind: WebhookKind;
  createdAt: Date;
  attempts: number;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  givenUpAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
}

/** A due delivery claimed by one sender, with what it needs to send it. */
export interface ClaimedDelivery {
  delivery: WebhookDelivery;
  url: string;
  secretSealed: string;
  body: string;
}

/** Storage port: endpoints, and the outbox the database fills as events happen. */
export interface WebhookStore {
  insert(endpoint: WebhookEndpoint, secretSealed: string): Promise<void>;
  list(): Promise<WebhookEndpoint[]>;
  remove(id: string, now: Date): Promise<boolean>;
  deliveries(endpointId: string, limit: number): Promise<WebhookDelivery[]>;
  /** Due deliveries, each claimed for `leaseSeconds` by this caller alone (FOR UPDATE SKIP LOCKED). */
  claimDue(now: Date, limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt: delivered, or to be retried at `retryAt` (null: given up). */
  recordAttempt(id: string, now: Date, outcome: { status: number | null; error: string | null; delivered: boolean; retryAt: Date | null }): Promise<void>;
}

/** The AAD binding a webhook's sealed signing secret to its endpoint (key rotation keeps it). */
export const webhookSecretContext = (endpointId: string) => `webhook:${endpointId}`;
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export interface WebhookDeps {
  store: WebhookStore;
  keyRing: KeyRing;
  audit: AuditLog;
  clock: Clock;
}

export function parseKinds(raw: readonly string[]): WebhookKind[] {
  const unknown = raw.filter((k) => !(WEBHOOK_KINDS as readonly string[]).includes(k));
  if (raw.length === 0 || unknown.length > 0) {
    throw new TwofoldError('validation_failed', { kinds: WEBHOOK_KINDS, unknown }, `Choose event kinds from ${WEBHOOK_KINDS.join(', ')}.`);
  }
  return [...new Set(raw)] as WebhookKind[];
}

function parseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TwofoldError('validation_failed', { url: 'an absolute http(s) URL' }, 'The webhook URL must be an absolute http(s) URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TwofoldError('validation_failed', { url: 'an absolute http(s) URL' });
  if (url.username || url.password) throw new TwofoldError('validation_failed', { url: 'no credentials in the URL' });
  return url.toString();
}

/** Registers an endpoint; its signing secret exists in the clear only in this answer (and sealed in the database). */
export async function createWebhook(deps: WebhookDeps, input: { url: string; kinds: readonly string[] }, context: { client: 'cli' | 'admin-api' }) {
  const endpoint: WebhookEndpoint = {
    id: randomUUID(),
    url: parseUrl(input.url),
    kinds: parseKinds(input.kinds),
    createdAt: deps.clock.now(),
    lastAttemptAt: null,
    lastStatus: null,
    lastError: null,
    lastSuccessAt: null,
  };
  const secret = `${WEBHOOK_SECRET_PREFIX}${generateToken()}`;
  await deps.store.insert(endpoint, deps.keyRing.encrypt(Buffer.from(secret, 'utf8'), webhookSecretContext(endpoint.id)));
  await deps.audit.record('webhook_created', null, context, { endpointId: endpoint.id, url: endpoint.url, kinds: endpoint.kinds });
  return { endpoint, secret };
}

export async function removeWebhook(deps: WebhookDeps, id: string, context: { client: 'cli' | 'admin-api' }): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id) || !(await deps.store.remove(id, deps.clock.now()))) throw new TwofoldError('webhook_not_found');
  await deps.audit.record('webhook_removed', null, context, { endpointId: id });
}

export function openWebhookSecret(keyRing: KeyRing, endpointId: string, sealed: string): string {
  return Buffer.from(keyRing.decrypt(sealed, webhookSecretContext(endpointId))).toString('utf8');
}

/**
 * The signature headers of a delivery: HMAC-SHA-256, keyed with the endpoint's secret, over
 * `<timestamp>.<body>` (the timestamp binds the body to a time, so a captured delivery cannot be replayed later).
 */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/** Seconds before attempt n+1: 10 s, 20 s, 40 s … capped at an hour; after 15 attempts (about 8 h) it gives up. */
export const WEBHOOK_MAX_ATTEMPTS = 15;
export function webhookBackoffSeconds(attempts: number): number {
  return Math.min(3600, 10 * 2 ** Math.max(0, attempts - 1));
}

/** A claimed delivery, ready to POST: the signature is made now, with the endpoint's secret. */
export interface SignedDelivery {
  delivery: WebhookDelivery;
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** Claims due deliveries (one sender each) and signs them (header scheme: docs/operations.md, "Webhooks"). */
export async function claimSignedDeliveries(deps: WebhookDeps, limit: number, leaseSeconds: number): Promise<SignedDelivery[]> {
  const now = deps.clock.now();
  const timestamp = Math.floor(now.getTime() / 1000);
  const signed: SignedDelivery[] = [];
  for (const { delivery, url, secretSealed, body } of await deps.store.claimDue(now, limit, leaseSeconds)) {
    let secret: string;
    try {
      secret = openWebhookSecret(deps.keyRing, delivery.endpointId, secretSealed);
    } catch {
      // Its key left the ring: this one cannot be signed, the others still can.
      await recordDeliveryAttempt(deps, delivery, { status: null, error: 'the signing secret cannot be decrypted with the key ring' });
      continue;
    }
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'twofold-webhooks',
      'twofold-webhook-id': delivery.id,
      'twofold-webhook-timestamp': String(timestamp),
      'twofold-webhook-signature': signWebhook(secret, timestamp, body),
    };
    signed.push({ delivery, url, body, headers });
  }
  return signed;
}

/** Records a send: delivered on a 2xx; else retried with backoff, until it gives up after the last attempt. */
export async function recordDeliveryAttempt(deps: WebhookDeps, delivery: WebhookDelivery, result: { status: number | null; error: string | null }): Promise<void> {
  const now = deps.clock.now();
  const delivered = result.error === null && result.status !== null && result.status >= 200 && result.status < 300;
  const retryAt = delivered || delivery.attempts >= WEBHOOK_MAX_ATTEMPTS ? null : new Date(now.getTime() + webhookBackoffSeconds(delivery.attempts) * 1000);
  await deps.store.recordAttempt(delivery.id, now, { status: result.status, error: delivered ? null : (result.error ?? `HTTP ${result.status}`), delivered, retryAt });
}
