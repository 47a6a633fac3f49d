import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/events.ts';
import { emailFactorOn, type FactorState } from '../challenge/factors.ts';
import type { ChallengeStore } from '../challenge/store.ts';
import type { Clock } from '../clock.ts';
import { hashToken } from '../crypto/hash.ts';
import { generateToken } from '../crypto/random.ts';
import { TwofoldError } from '../errors.ts';
import type { FactorName, Notifier } from '../notices.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { UserRecord } from '../users/user.ts';
import { describeKind, type FactorChangePayload, type FactorChangeStore } from './store.ts';

/**
 * The veto window (FACTOR_CHANGE_VETO_SECONDS, security.md threat 22): a stolen session that swaps the authenticator
 * must not get an account the owner cannot take back. With the window on, a change to the factors of a user who
 * already has one waits; the owner is mailed at once with a single-use link that cancels it and locks the account.
 */
export interface VetoWindowDeps {
  store: FactorChangeStore;
  audit: AuditLog;
  notifier: Notifier;
  clock: Clock;
  /** 0: off, every change applies at once and nothing is recorded (as before the window existed). */
  windowSeconds: number;
  /** The URL a veto mail carries; the façade owns it, the core fills in the token. */
  vetoLink(token: string): string;
}

/** What a factor change answers: null when it was made at once, else when it will be. */
export interface ChangeOutcome {
  pendingUntil: Date | null;
}

export const appliedNow: ChangeOutcome = { pendingUntil: null };

/**
 * A user protected by a second factor (as the server offers them): their factor changes wait. A first factor does
 * not: there is nothing to protect yet, and enforcement and the Backendless register-with-TOTP flow need it at once.
 */
export function hasActiveFactor(state: FactorState): boolean {
  return state.authenticator !== null || emailFactorOn(state.user) || state.webauthnKeys > 0;
}

/** When a change of this user's factors would apply: null for at once (window off, or a first factor). */
export function deferral(deps: Pick<VetoWindowDeps, 'windowSeconds' | 'clock'>, state: FactorState): Date | null {
  if (deps.windowSeconds <= 0 || !hasActiveFactor(state)) return null;
  return new Date(deps.clock.now().getTime() + deps.windowSeconds * 1000);
}

/** `deferral` for a user whose factors are not read yet: no read at all with the window off. */
export async function heldUntil(deps: Pick<VetoWindowDeps, 'windowSeconds' | 'clock'>, store: Pick<ChallengeStore, 'factors'>, userId: string): Promise<Date | null> {
  if (deps.windowSeconds <= 0) return null;
  const state = await store.factors(userId, deps.clock.now());
  return state ? deferral(deps, state) : null;
}

/**
 * Records a change to apply at `applyAt`, and mails the owner the link that cancels it. A change of the same
 * factor (or key) already waiting is `factor_change_pending`; nothing is changed then.
 */
export async function requestChange(
  deps: VetoWindowDeps,
  user: UserRecord,
  payload: FactorChangePayload,
  applyAt: Date,
  context: RequestContext | null,
  sessionId: string | null,
): Promise<ChangeOutcome> {
  const now = deps.clock.now();
  const token = generateToken();
  const id = randomUUID();
  const vetoUntil = vetoDeadline(deps, applyAt);
  const outcome = await deps.store.insert({ id, userId: user.id, payload, sessionId, requestedAt: now, applyAt, status: 'pending', vetoTokenHash: hashToken(token), vetoUntil });
  if (outcome === 'duplicate') throw new TwofoldError('factor_change_pending');
  if (outcome === 'credential-gone') throw new TwofoldError('totp_not_pending');
  const { factor, change } = describeKind(payload.kind);
  await deps.audit.record('factor_change_requested', user.id, context, { changeId: id, kind: payload.kind, factor, change, applyAt: applyAt.toISOString() });
  // Best effort, like every notice of a change: an outage must not undo it. The link is in the mail only.
  await deps.notifier
    .send({ kind: 'factor-change-requested', to: user.email, factor, change, applyAt, vetoLink: deps.vetoLink(token), vetoUntil })
    .catch(() => undefined);
  return { pendingUntil: applyAt };
}

/**
 * A first factor, made at once: recorded as applied, so the link in its notice can still lock the account (the
 * change is not undone: an operator resets the factor). Null with the window off.
 */
export async function firstFactorVeto(deps: VetoWindowDeps, user: UserRecord, factor: FactorName): Promise<{ link: string; until: Date } | null> {
  if (deps.windowSeconds <= 0) return null;
  const now = deps.clock.now();
  const token = generateToken();
  const kind = factor === 'totp' ? 'totp-enable' : factor === 'email' ? 'email-enable' : 'passkey-add';
  const until = vetoDeadline(deps, now);
  await deps.store.insert({ id: randomUUID(), userId: user.id, payload: { kind, appliedAlready: true }, sessionId: null, requestedAt: now, applyAt: now, status: 'applied', vetoTokenHash: hashToken(token), vetoUntil: until });
  return { link: deps.vetoLink(token), until };
}

/** A veto link works while the change waits and one window more after it applied: late enough to still lock. */
function vetoDeadline(deps: Pick<VetoWindowDeps, 'windowSeconds'>, applyAt: Date): Date {
  return new Date(applyAt.getTime() + deps.windowSeconds * 1000);
}
