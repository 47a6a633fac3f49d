import type { AcceptOutcome, AcceptWrite, Claim, RejectOutcome, RejectWrite } from '../../core/challenge/store.ts';
import { appendChained, assertNewEvents } from './audit-chain-store.ts';
import { replaceBackupCodes } from './backup-code-store.ts';
import { assertNewSession, sessionRow } from './session-store.ts';
import { assertNewDevice, insertDevice } from './trusted-device-store.ts';
import { resetThrottle } from './throttle-store.ts';
import { burnLive, open } from './transaction-store.ts';
import { challengeMatches } from './webauthn-store.ts';
import { hex, later, type MemoryTables, type TransactionRow } from './tables.ts';

/** The lock `twofold_reject_proof` writes for "until an operator lifts it". */
const UNTIL_AN_OPERATOR = new Date('9999-12-31T00:00:00Z');

type Gone = Exclude<AcceptOutcome['status'], 'accepted' | 'locked'>;

/**
 * `twofold_accept_proof` in memory. Every condition is checked before anything changes, then everything is
 * changed without a pause: all of it or none of it, as the SQL function's savepoint makes it.
 */
export function acceptProof(tables: MemoryTables, w: AcceptWrite): AcceptOutcome {
  const user = tables.users.get(w.userId);
  if (!user) return { status: 'activation-gone' };
  if (user.disabledAt) return { status: 'user-disabled' };
  if (user.factorLockedUntil && later(user.factorLockedUntil, w.now)) return { status: 'locked', until: user.factorLockedUntil };
  const transaction = w.transaction ? tables.transactions.get(hex(w.transaction.idHash)) : undefined;
  const gone = checkAccept(tables, w, transaction);
  if (gone) return { status: gone };
  assertInsertable(tables, w);

  if (transaction && w.transaction) Object.assign(transaction, { attempts: transaction.attempts + 1, consumedAt: w.now, answerHash: w.transaction.answerHash });
  spendClaim(tables, w.claim, w.now);
  let replaced = false;
  if (w.activate) {
    for (const credential of [...tables.totp.values()]) {
      if (credential.userId === w.userId && credential.state === 'active') {
        tables.deleteCredential(credential.id);
        replaced = true;
      }
    }
    Object.assign(tables.totp.get(w.activate.credentialId)!, { state: 'active', activatedAt: w.now });
    replaceBackupCodes(tables, w.userId, w.activate.backupCodeHashes, w.now);
  }
  if (w.resetThrottle) resetThrottle(tables, w.userId);
  if (w.session) tables.sessions.set(w.session.id, sessionRow({ ...w.session, userId: w.userId }));
  markSession(tables, w);
  if (w.device) insertDevice(tables, w.device.device, w.device.tokenHash);
  appendChained(tables, w.events);
  return { status: 'accepted', replacedAuthenticator: replaced };
}

/** What the SQL function finds missing, in its order: the transaction, the claim, the authenticator to activate. */
function checkAccept(tables: MemoryTables, w: AcceptWrite, transaction: TransactionRow | undefined): Gone | null {
  if (w.transaction) {
    const answerable =
      transaction && transaction.userId === w.userId && open(transaction) && later(transaction.expiresAt, w.now) && transaction.attempts < w.transaction.maxAttempts;
    if (!answerable) return 'transaction-gone';
  }
  if (!claimAvailable(tables, w.userId, w.claim, w.now)) return 'claim-taken';
  if (w.activate) {
    const waiting = tables.totp.get(w.activate.credentialId);
    if (!waiting || waiting.userId !== w.userId || waiting.state === 'active') return 'activation-gone';
  }
  return null;
}

function claimAvailable(tables: MemoryTables, userId: string, claim: Claim, now: Date): boolean {
  switch (claim.kind) {
    case 'totp-step': {
      const credential = tables.totp.get(claim.credentialId);
      return credential?.userId === userId && (credential.lastUsedStep === null || credential.lastUsedStep < claim.step);
    }
    case 'backup-code': {
      const code = tables.backupCodes.get(claim.id);
      return code?.userId === userId && code.usedAt === null;
    }
    case 'email-code': {
      const code = tables.emailCodes.get(claim.id);
      return code?.userId === userId && code.usedAt === null && later(code.expiresAt, now) && code.attempts < claim.maxAttempts;
    }
    case 'webauthn': {
      const challenge = tables.challenges.get(hex(claim.challengeHash));
      const key = tables.webauthn.get(claim.keyId);
      // The counter must grow (or stay 0 for keys that keep none): a cloned key cannot pass.
      const counterMoves = key !== undefined && key.counter === claim.previousCounter && (claim.newCounter > key.counter || (claim.newCounter === 0 && key.counter === 0));
      return challengeMatches(challenge, { userId, ...claim.binding }, now) && key?.userId === userId && counterMoves;
    }
    case 'none':
      return true;
  }
}

function spendClaim(tables: MemoryTables, claim: Claim, now: Date): void {
  switch (claim.kind) {
    case 'totp-step':
      tables.totp.get(claim.credentialId)!.lastUsedStep = claim.step;
      return;
    case 'backup-code':
      tables.backupCodes.get(claim.id)!.usedAt = now;
      return;
    case 'email-code': {
      const code = tables.emailCodes.get(claim.id)!;
      Object.assign(code, { usedAt: now, attempts: code.attempts + 1 });
      return;
    }
    case 'webauthn':
      tables.challenges.get(hex(claim.challengeHash))!.usedAt = now;
      Object.assign(tables.webauthn.get(claim.keyId)!, { counter: claim.newCounter, backedUp: claim.backedUp, lastUsedAt: now });
      return;
    case 'none':
      return;
  }
}

function markSession(tables: MemoryTables, w: AcceptWrite): void {
  const mark = w.markSession;
  const session = mark && tables.sessions.get(mark.id);
  if (!mark || !session || session.userId !== w.userId) return;
  if (mark.proved === 'factor') Object.assign(session, { secondFactorAt: w.now, secondFactorIp: mark.ip, secondFactorUserAgent: mark.userAgent });
  else session.passwordAt = w.now;
}

/** A unique key the write would repeat fails the whole write, as any other SQL error undoes the statement. */
function assertInsertable(tables: MemoryTables, w: AcceptWrite): void {
  if (w.session) assertNewSession(tables, w.session);
  if (w.device) assertNewDevice(tables, w.device.device, w.device.tokenHash);
  assertNewEvents(tables, w.events);
}

/**
 * `twofold_reject_proof` in memory: an attempt of the transaction (none left: nothing is counted), a try of
 * the email code, a failure toward the lockout unless it is a replay; a failure that begins a lock burns the
 * account's pending sign-ins.
 */
export function rejectProof(tables: MemoryTables, w: RejectWrite): RejectOutcome {
  const user = tables.users.get(w.userId);
  if (user?.factorLockedUntil && later(user.factorLockedUntil, w.now)) return { status: 'locked', until: user.factorLockedUntil };
  assertNewEvents(tables, w.events);
  let attempts: number | null = null;
  if (w.transaction) {
    const t = tables.transactions.get(hex(w.transaction.idHash));
    if (!t || !open(t) || !later(t.expiresAt, w.now) || t.attempts >= w.transaction.maxAttempts) return { status: 'transaction-gone' };
    attempts = t.attempts += 1;
  }
  let codeExhausted = false;
  if (w.emailCode) {
    const code = tables.emailCodes.get(w.emailCode.id);
    if (code && code.usedAt === null && code.attempts < w.emailCode.maxAttempts) code.attempts += 1;
    else codeExhausted = true;
  }
  let lockBegan: Date | null = null;
  if (w.countTowardLockout && user) {
    const failures = user.factorFailures + 1;
    const lockout = failures % w.throttle.failuresPerLockout === 0;
    if (failures >= w.throttle.maxConsecutiveFailures) user.factorLockedUntil = UNTIL_AN_OPERATOR;
    else if (lockout) user.factorLockedUntil = new Date(w.now.getTime() + w.throttle.baseLockSeconds * 1000 * 2 ** Math.min(user.factorLockouts, 20));
    if (lockout) user.factorLockouts += 1;
    user.factorFailures = failures;
    if (user.factorLockedUntil && later(user.factorLockedUntil, w.now)) {
      lockBegan = user.factorLockedUntil;
      burnLive(tables, w.userId, w.now);
    }
  }
  appendChained(tables, w.events);
  return { status: 'counted', attempts, lockBegan, codeExhausted };
}
