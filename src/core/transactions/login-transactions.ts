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
): Promise<{ transactionId: string; expiresAt: Date; createdAt: Date }> {
  const transactionId = generateToken(24);
  const createdAt = deps.clock.now();
  const expiresAt = new Date(createdAt.getTime() + deps.ttlSeconds * 1000);
  await deps.transactions.insert(hashToken(transactionId), { userId, purpose, credentialId, createdAt, expiresAt });
  return { transactionId, expiresAt, createdAt };
}

/** The lookup hash of a transaction id as a client sent it, or the typed reason it cannot be one. */
export function transactionIdHash(transactionId: unknown): Buffer {
  if (typeof transactionId !== 'string' || transactionId.length === 0) throw new TwofoldError('transaction_required');
  if (transactionId.length > 128) throw new TwofoldError('transaction_not_found');
  return hashToken(transactionId);
}

/** Throws the typed reason a transaction can no longer be answered: used, closed, or expired. */
export function assertLive(transaction: LoginTransaction, now: Date, maxAttempts: number): void {
  if (transaction.consumedAt) throw new TwofoldError('transaction_used');
  if (transaction.burnedAt || transaction.attempts >= maxAttempts) throw new TwofoldError('transaction_locked');
  if (transaction.expiresAt <= now) throw new TwofoldError('transaction_expired');
}
