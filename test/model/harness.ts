/**
 * Drives one model run: applies each command to the real core and to the model, compares what they answer and
 * what they hold, and checks the invariants of docs/security.md ("The sign-in model") on the real rows.
 */
import { expect } from 'vitest';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { WebAuthnAnswer } from '../../src/core/challenge/proof.ts';
import { defaultCorePolicy } from '../../src/core/index.ts';
import { SoftAuthenticator } from '../helpers/webauthn-authenticator.ts';
import type { Core } from '../../src/core/index.ts';
import { isTwofoldError } from '../../src/core/errors.ts';
import { hashToken } from '../../src/core/crypto/hash.ts';
import { liveEmailCode, MODEL_POLICY, type Model, type ModelUser, type Outcome } from './model.ts';
import type { System, UserSnapshot } from './system.ts';

export const CONTEXT = { client: 'rest' as const, ip: '198.51.100.7', userAgent: 'model-run' };

/** What a command tells the invariants about itself. */
export interface StepFacts {
  /** The session a factor change was asked in (the only way factors may change). */
  changeSession?: { userIndex: number; sessionId: string };
}

/** How often each answer came back (MODEL_STATS=1 prints it): shows what a run reached. */
export const outcomeTally = new Map<string, number>();
const tally = (key: string) => outcomeTally.set(key, (outcomeTally.get(key) ?? 0) + 1);

export class Harness {
  private turn = 0;
  /** Every answer the core accepted, by what it spent: a second acceptance of the same one is a replay let through. */
  private readonly spent = new Set<string>();
  /** Fresh completions per transaction id. */
  private readonly completions = new Map<string, number>();
  /** Each passkey lives on a software authenticator of its own (one per device); the assertions made, by signature. */
  private readonly authenticators: SoftAuthenticator[] = [];
  readonly assertions = new Map<string, WebAuthnAnswer>();

  constructor(readonly system: System) {}

  /** A new device registering a key. */
  newAuthenticator(): SoftAuthenticator {
    const device = new SoftAuthenticator({ origin: defaultCorePolicy.webauthn.origins[0]!, rpId: defaultCorePolicy.webauthn.id });
    this.authenticators.push(device);
    return device;
  }

  /** The device holding one of the keys the options allow: the user touches it. */
  deviceFor(options: PublicKeyCredentialRequestOptionsJSON): SoftAuthenticator {
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    return this.authenticators.find((a) => a.credentialIds.some((id) => allowed.has(id)))!;
  }

  /** The next instance in turn (two cores take requests alternately). */
  core(): Core {
    const cores = this.system.cores;
    return cores[this.turn++ % cores.length]!;
  }

  get clock() {
    return this.system.clock;
  }

  /** A call's result as an outcome: a typed error becomes its code; anything else is a bug and is thrown. */
  async outcome<T>(call: Promise<T>): Promise<{ outcome: Outcome; value?: T }> {
    try {
      const value = await call;
      tally('ok');
      return { outcome: { ok: true }, value };
    } catch (error) {
      if (!isTwofoldError(error)) throw error;
      tally(error.code);
      return { outcome: { ok: false, error: error.code } };
    }
  }

  emailCodes(to: string): string[] {
    return this.system.notices.sent.flatMap((n) => (n.kind === 'email-code' && n.to.includes(to) ? [n.code] : []));
  }

  /** Records an accepted answer; the same one accepted again breaks "never accepted twice". */
  spend(key: string): void {
    expect(this.spent.has(key), `accepted twice: ${key}`).toBe(false);
    this.spent.add(key);
  }

  completed(transactionId: string): void {
    const n = (this.completions.get(transactionId) ?? 0) + 1;
    expect(n, `transaction ${transactionId.slice(0, 8)} completed more than once`).toBe(1);
    this.completions.set(transactionId, n);
  }

  /** Runs a command between two snapshots, then compares with the model and checks the invariants. */
  async step(model: Model, body: () => Promise<StepFacts | void>): Promise<void> {
    const before = await this.snapshots(model);
    const facts = (await body()) ?? {};
    const after = await this.snapshots(model);
    for (const [index, post] of after) {
      const pre = before.get(index);
      if (pre) checkInvariants(model, pre, post, facts, index);
      expect(summary(post, model.users[index]!), `user ${index} differs from the model`).toEqual(expected(model, model.users[index]!));
    }
    await this.revokedNeverAuthenticate(model, after);
  }

  private async snapshots(model: Model): Promise<Map<number, UserSnapshot>> {
    const snapshots = new Map<number, UserSnapshot>();
    for (const [index, u] of model.users.entries()) if (u.id) snapshots.set(index, await this.system.snapshot(u.id));
    return snapshots;
  }

  /** Invariant: a revoked session never authenticates again. */
  private async revokedNeverAuthenticate(model: Model, after: Map<number, UserSnapshot>): Promise<void> {
    for (const [index, snapshot] of after) {
      for (const s of model.users[index]!.sessions) {
        if (!snapshot.sessions.find((row) => row.id === s.id)?.revoked) continue;
        const { outcome } = await this.outcome(this.core().auth.authenticate(s.token));
        expect(outcome, `revoked session ${s.id.slice(0, 8)} of user ${index} authenticated`).toEqual({ ok: false, error: 'not_authenticated' });
      }
    }
  }
}

const factorsOf = (s: UserSnapshot) => ({
  totp: s.totp.filter((c) => c.state === 'active').map((c) => c.id),
  keys: [...s.keys].sort(),
  email: s.emailOn,
  backupCodes: s.backupCodes.map((b) => b.id).sort(),
});
const hasFactorIn = (s: UserSnapshot) => s.emailOn || s.keys.length > 0 || s.totp.some((c) => c.state === 'active');

/** The invariants of the sign-in state machine, on the real rows before and after one command. */
function checkInvariants(model: Model, pre: UserSnapshot, post: UserSnapshot, facts: StepFacts, index: number): void {
  const { now } = model;
  const who = `user ${index}`;
  // 1. No session without a second factor for a user who has one, except through a remembered device used now.
  for (const s of post.sessions) {
    if (pre.sessions.some((p) => p.id === s.id) || !hasFactorIn(pre)) continue;
    const viaDevice = pre.devices.some((d) => d.live) && post.devices.some((d) => d.live && d.lastUsedAt === now);
    expect(s.secondFactorAt !== null || viaDevice, `${who}: a session without the second factor`).toBe(true);
  }
  // 2. A TOTP step is spent once: the last used step never goes back; a used backup code stays used.
  for (const c of post.totp) {
    const before = pre.totp.find((p) => p.id === c.id);
    if (before?.lastUsedStep != null) expect(c.lastUsedStep ?? -1, `${who}: TOTP step went back`).toBeGreaterThanOrEqual(before.lastUsedStep);
  }
  for (const b of post.backupCodes) if (pre.backupCodes.find((p) => p.id === b.id)?.used) expect(b.used, `${who}: a used backup code is unused again`).toBe(true);
  // 3. A transaction never completes after its cap, nor more than once (counted by the harness), nor past its attempts.
  for (const [hash, t] of post.transactions) {
    expect(t.attempts, `${who}: transaction past its cap`).toBeLessThanOrEqual(MODEL_POLICY.transactionMaxAttempts);
    const before = pre.transactions.get(hash);
    if (before && !before.consumed && t.consumed) expect(before.attempts < MODEL_POLICY.transactionMaxAttempts && !before.burned, `${who}: a closed transaction completed`).toBe(true);
  }
  // 4. The lockout: every `failuresPerLockout` counted failures make a lock, and nothing is counted while locked.
  const { failuresPerLockout } = MODEL_POLICY.throttle;
  expect(post.lockouts, `${who}: failures without their lockout`).toBe(Math.floor(post.failures / failuresPerLockout));
  if (post.failures > pre.failures && post.failures % failuresPerLockout === 0) expect((post.lockedUntil ?? 0) > now, `${who}: no lock after the policy's failures`).toBe(true);
  if (pre.lockedUntil !== null && pre.lockedUntil > now) {
    expect(post.failures, `${who}: a failure counted while locked`).toBe(pre.failures);
    expect(post.countedFailureEvents, `${who}: a failure recorded while locked`).toBe(pre.countedFailureEvents);
  }
  // 5. A factor changes only in a factor change, with the proof the policy table asks (FACTOR_CHANGE: the window).
  if (JSON.stringify(factorsOf(pre)) !== JSON.stringify(factorsOf(post))) {
    const change = facts.changeSession;
    expect(change?.userIndex, `${who}: factors changed outside a factor change`).toBe(index);
    const before = pre.sessions.find((s) => s.id === change!.sessionId)!;
    const after = post.sessions.find((s) => s.id === change!.sessionId)!;
    const window = MODEL_POLICY.stepUpWindowSeconds * 1000;
    const proved = hasFactorIn(pre)
      ? (before.secondFactorAt !== null && now - before.secondFactorAt < window) || after.secondFactorAt === now
      : now - before.passwordAt < window;
    expect(proved, `${who}: factors changed without the proof the policy requires`).toBe(true);
  }
}

/** What of the real state the model predicts, in one comparable shape. */
function summary(s: UserSnapshot, u: ModelUser) {
  const active = s.totp.find((c) => c.state === 'active');
  return {
    totp: active ? { lastUsedStep: active.lastUsedStep } : null,
    pendingTotp: s.totp.some((c) => c.state !== 'active'),
    emailOn: s.emailOn,
    keys: s.keys.length,
    unusedBackupCodes: s.backupCodes.filter((b) => !b.used).length,
    throttle: { failures: s.failures, lockouts: s.lockouts, lockedUntil: s.lockedUntil },
    emailCodeAttempts: s.emailCode?.attempts ?? null,
    sessions: Object.fromEntries(s.sessions.map((x) => [x.id, { revoked: x.revoked, secondFactorAt: x.secondFactorAt }])),
    liveDevices: s.devices.filter((d) => d.live).length,
    transactions: u.transactions.map((t) => s.transactions.get(transactionKey(t.id)) ?? null),
  };
}

function expected(model: Model, u: ModelUser): ReturnType<typeof summary> {
  return {
    totp: u.totp ? { lastUsedStep: u.totp.lastUsedStep } : null,
    pendingTotp: u.pendingTotp,
    emailOn: u.emailOn,
    keys: u.keys.length,
    unusedBackupCodes: [...u.backupCodes.values()].filter((used) => !used).length,
    throttle: { failures: u.failures, lockouts: u.lockouts, lockedUntil: u.lockedUntil },
    emailCodeAttempts: liveEmailCode(u, model.now)?.attempts ?? null,
    sessions: Object.fromEntries(u.sessions.map((x) => [x.id, { revoked: x.revoked, secondFactorAt: x.secondFactorAt }])),
    liveDevices: u.devices.filter((d) => !d.revoked && d.expiresAt > model.now).length,
    transactions: u.transactions.map((t) => ({ attempts: t.attempts, consumed: t.consumedAt !== null, burned: t.burned })),
  };
}

/** The transactions a user's model holds, as the store keys them. */
export const transactionKey = (id: string) => hashToken(id).toString('hex');
