import type { Clock } from '../clock.ts';
import { hashToken } from '../crypto/hash.ts';
import { generateToken } from '../crypto/random.ts';
import { TwofoldError } from '../errors.ts';
import type { LoginTransaction, LoginTransactionStore, TransactionPurpose } from './store.ts';

export interface TransactionDeps {
  transactions: LoginTransactionStore;
  clock: Clock;
  ttlSeconds: number;
  maxAttempts: number;
}

/** Starts a transaction: 192 random bits, stored hashed, bound to one user and one purpose. */
export async function openTransaction(
  deps: TransactionDeps,
  userId: string,
  purpose: TransactionPurpose,
  credentialId: string | null = null,
): Promise<{ transactionId: string; expiresAt: Date }> {
  const transactionId = generateToken(24);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.ttlSeconds * 1000);
  await deps.transactions.insert(hashToken(transactionId), { userId, purpose, credentialId, createdAt: now, expiresAt });
  return { transactionId, expiresAt };
}

/** A live transaction by id, or the typed reason it cannot be used. */
export async function loadTransaction(deps: TransactionDeps, transactionId: unknown): Promise<{ idHash: Buffer; transaction: LoginTransaction }> {
  if (typeof transactionId !== 'string' || transactionId.length === 0) throw new TwofoldError('transaction_required');
  if (transactionId.length > 128) throw new TwofoldError('transaction_not_found');
  const idHash = hashToken(transactionId);
  const transaction = await deps.transactions.find(idHash);
  if (!transaction) throw new TwofoldError('transaction_not_found');
  assertLive(deps, transaction);
  return { idHash, transaction };
}

export function assertLive(deps: TransactionDeps, transaction: LoginTransaction): void {
  if (transaction.consumedAt) throw new TwofoldError('transaction_used');
  if (transaction.burnedAt || transaction.attempts >= deps.maxAttempts) throw new TwofoldError('transaction_locked');
  if (transaction.expiresAt <= deps.clock.now()) throw new TwofoldError('transaction_expired');
}
