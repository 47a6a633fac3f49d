import type { Logger } from 'pino';
import type { Core } from '../core/index.ts';
import type { SignedDelivery } from '../core/admin/webhooks.ts';
import { startPeriodicPass } from './periodic-pass.ts';

export interface WebhookDispatcher {
  /** Sends what is due now; resolves with how many were attempted, once their outcomes are recorded. */
  deliverDue(): Promise<number>;
  stop(): Promise<void>;
}

const BATCH = 20;
const SEND_TIMEOUT_MS = 10_000;
/** Longer than a send may take: a claimed delivery is not picked again while it is being sent. */
const LEASE_SECONDS = 60;

/**
 * Sends the webhook outbox (migration 0014) from every instance: the core claims due deliveries (FOR UPDATE SKIP
 * LOCKED: no two instances take the same) and signs them; this POSTs them and reports the answer. At least once:
 * a crash between the send and its record means the receiver sees the same `twofold-webhook-id` again.
 */
export function startWebhookDispatcher(deps: { core: Core; logger: Logger; intervalMs: number }): WebhookDispatcher {
  const outbox = deps.core.admin.webhooks.outbox;
  async function send({ delivery, url, body, headers }: SignedDelivery): Promise<void> {
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (e) {
      error = (e as Error).message.slice(0, 500);
    }
    if (error) deps.logger.warn({ deliveryId: delivery.id, endpointId: delivery.endpointId, status, error, attempts: delivery.attempts }, 'webhook delivery failed');
    await outbox.record(delivery, { status, error });
  }

  async function pass(): Promise<number> {
    const due = await outbox.claim(BATCH, LEASE_SECONDS);
    await Promise.all(due.map(send));
    return due.length;
  }

  const periodic = startPeriodicPass(pass, { intervalMs: deps.intervalMs, logger: deps.logger, failure: 'webhook outbox pass failed' });
  return { deliverDue: periodic.runNow, stop: periodic.stop };
}
