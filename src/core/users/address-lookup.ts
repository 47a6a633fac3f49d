import type { CoreLogger } from '../logger.ts';
import { normalizeEmail } from './identity.ts';
import type { UserStore } from './store.ts';
import type { UserRecord } from './user.ts';

/**
 * Finding the account an address names for a mail anyone may ask for (a password reset, a new confirmation
 * link), so that the answer tells nothing about who is registered (security.md threat 9): the same checks and
 * reads whether the account exists, and the mail itself sent after the answer.
 */
export interface AddressLookup {
  users: UserStore;
  /** A cap per address and purpose, whoever asks (throws `rate_limited`): no mailbox is flooded. */
  limitTarget(key: string): Promise<void>;
  logger: CoreLogger;
}

/** The live account at `email`, or null (unknown or disabled): callers answer alike either way. */
export async function accountAt(deps: AddressLookup, purpose: string, email: unknown): Promise<UserRecord | null> {
  const address = normalizeEmail(email);
  await deps.limitTarget(`${purpose}:${address}`);
  const user = await deps.users.findByEmail(address);
  return user && !user.disabledAt ? user : null;
}

/**
 * Work done after the answer (issuing a link, mailing it), so its cost does not set a known address apart from
 * an unknown one; a failure is logged, the caller has had its answer already.
 */
export function afterAnswer(deps: AddressLookup, user: UserRecord, what: string, work: () => Promise<void>): void {
  // On the next turn of the event loop, once the answer is on its way: with the embedded database a query runs
  // in this very thread, and would otherwise hold the answer back by its length.
  setImmediate(() => {
    void work().catch((error: unknown) => deps.logger.warn({ userId: user.id, reason: (error as { code?: string }).code ?? 'unknown' }, `${what} not sent`));
  });
}
