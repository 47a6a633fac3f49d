/**
 * The reference model of twofold's sign-in state machine (docs/security.md, "The sign-in model"): plain data and
 * pure functions, no I/O. Each step says what the real core must answer and changes the model as the core should
 * change its state. It is written from the rules (security.md, the policy table), not from the code: where the two
 * disagree, a model-based run fails and shrinks to the shortest sequence that shows it.
 */
import { generateHOTP } from '../../src/core/otp/hotp.ts';

/** The core's policy for model runs: small caps and short locks, so that sequences reach them. */
export const MODEL_POLICY = {
  transactionTtlSeconds: 300,
  transactionMaxAttempts: 3,
  retryWindowSeconds: 120,
  emailCodeTtlSeconds: 600,
  emailCodeMaxAttempts: 3,
  stepUpWindowSeconds: 600,
  trustedDeviceTtlSeconds: 24 * 3600,
  sessionTtlSeconds: 30 * 24 * 3600,
  sessionIdleSeconds: 0,
  throttle: { failuresPerLockout: 4, baseLockSeconds: 60, maxConsecutiveFailures: 12 },
} as const;

const PERIOD_MS = 30_000;
/** The lock `twofold_reject_proof` writes for "until an operator lifts it". */
const FOREVER = Date.parse('9999-12-31T00:00:00Z');

export interface ModelSession {
  id: string;
  token: string;
  revoked: boolean;
  expiresAt: number;
  secondFactorAt: number | null;
  passwordAt: number;
}

export interface ModelTransaction {
  id: string;
  createdAt: number;
  expiresAt: number;
  attempts: number;
  consumedAt: number | null;
  burned: boolean;
  /** The answer that completed it (kind and code) and the session it made: a repeat gets that session again. */
  answer: string | null;
  sessionId: string | null;
}

export interface ModelEmailCode {
  code: string;
  attempts: number;
  liveSince: number;
  expiresAt: number;
  used: boolean;
}

export interface ModelUser {
  email: string;
  password: string;
  id: string | null;
  totp: { secret: Uint8Array; lastUsedStep: number | null } | null;
  /** An authenticator waiting for its first code (left by an enrolment that could not finish). */
  pendingTotp: boolean;
  /** Backup codes (as typed, no hyphen) → used. */
  backupCodes: Map<string, boolean>;
  emailOn: boolean;
  emailCode: ModelEmailCode | null;
  /** Registered passkeys, by their id in twofold. */
  keys: string[];
  /** The signature of the last assertion a sign-in accepted (to replay it). */
  lastAssertion: string | null;
  failures: number;
  lockouts: number;
  lockedUntil: number | null;
  sessions: ModelSession[];
  transactions: ModelTransaction[];
  devices: Array<{ token: string; expiresAt: number; revoked: boolean }>;
}

export interface Model {
  now: number;
  users: ModelUser[];
}

export function initialModel(now: number, emails: string[]): Model {
  return {
    now,
    users: emails.map((email) => ({
      email,
      password: 'correct horse battery staple',
      id: null,
      totp: null,
      pendingTotp: false,
      backupCodes: new Map(),
      emailOn: false,
      emailCode: null,
      keys: [],
      lastAssertion: null,
      failures: 0,
      lockouts: 0,
      lockedUntil: null,
      sessions: [],
      transactions: [],
      devices: [],
    })),
  };
}

/** What the core answers: a success (with what the harness compares) or a typed error's code. */
export type Outcome = { ok: true; repeated?: boolean } | { ok: false; error: string };
const ok = (repeated?: boolean): Outcome => (repeated === undefined ? { ok: true } : { ok: true, repeated });
const error = (code: string): Outcome => ({ ok: false, error: code });

/** An answer as a client gives it. */
export interface ModelAnswer {
  kind: 'code' | 'backup' | 'email' | 'webauthn';
  /** The code typed; for a passkey, its assertion's signature (what a repeat is recognised by). */
  code: string;
  /** A passkey assertion: made for this transaction's live challenge by one of the user's keys, or not (a replay). */
  assertion?: 'fresh' | 'stale';
}

// ---- facts about a user -------------------------------------------------------------------------------------

export const stepAt = (now: number) => Math.floor(now / PERIOD_MS);
export const totpCode = (secret: Uint8Array, step: number) => generateHOTP(secret, step, 6, 'SHA1');
export const hasFactor = (u: ModelUser) => u.totp !== null || u.emailOn || u.keys.length > 0;
export const isLocked = (u: ModelUser, now: number) => u.lockedUntil !== null && u.lockedUntil > now;
export const liveEmailCode = (u: ModelUser, now: number) => (u.emailCode && !u.emailCode.used && u.emailCode.expiresAt > now ? u.emailCode : null);
const answerKey = (a: ModelAnswer) => `${a.kind}:${a.code}`;
const backupShape = (code: string) => (/^[23456789A-HJ-NP-Z]{8}$/i.test(code) ? code.toUpperCase() : null);

/** The step a code proves (RFC 6238, ±1 step; the later step when two match), or null. */
export function stepOfCode(u: ModelUser, code: string, now: number): number | null {
  if (!u.totp) return null;
  const current = stepAt(now);
  for (let step = current + 1; step >= current - 1; step -= 1) if (totpCode(u.totp.secret, step) === code) return step;
  return null;
}

/** The code a user reads off the authenticator: the first step of the window not yet spent (or the current one). */
export function rightTotpCode(u: ModelUser, now: number): string {
  const current = stepAt(now);
  const last = u.totp!.lastUsedStep ?? -Infinity;
  const step = [current - 1, current, current + 1].find((s) => s > last) ?? current;
  return totpCode(u.totp!.secret, step);
}

/** Six digits that no factor of the user accepts now (a guess). */
export function wrongCode(u: ModelUser, now: number, seed: number): string {
  for (let i = 0; ; i += 1) {
    const code = String((seed * 7919 + i * 104729) % 1_000_000).padStart(6, '0');
    if (stepOfCode(u, code, now) === null && code !== u.emailCode?.code) return code;
  }
}

// ---- the account throttle and transactions -------------------------------------------------------------------

function countFailure(model: Model, u: ModelUser): void {
  const { failuresPerLockout, baseLockSeconds, maxConsecutiveFailures } = MODEL_POLICY.throttle;
  u.failures += 1;
  const lockout = u.failures % failuresPerLockout === 0;
  if (u.failures >= maxConsecutiveFailures) u.lockedUntil = FOREVER;
  else if (lockout) u.lockedUntil = model.now + baseLockSeconds * 1000 * 2 ** Math.min(u.lockouts, 20);
  if (lockout) u.lockouts += 1;
  // The failure that begins a lock burns the pending sign-ins with it (threat 7).
  if (isLocked(u, model.now)) for (const t of u.transactions) if (t.consumedAt === null && !t.burned && t.expiresAt > model.now) t.burned = true;
}

function resetThrottle(u: ModelUser): void {
  u.failures = 0;
  u.lockouts = 0;
  u.lockedUntil = null;
}

/** The run of failures to the next lock: how many guesses a burst may still have counted. */
export function failuresToLock(u: ModelUser): number {
  const per = MODEL_POLICY.throttle.failuresPerLockout;
  return Math.min(per - (u.failures % per), MODEL_POLICY.throttle.maxConsecutiveFailures - u.failures);
}

/** A code the user's live email code run may complete the transaction with (security.md threat 15). */
function emailBound(code: ModelEmailCode, t: ModelTransaction | null): boolean {
  return !t || (code.liveSince < t.expiresAt && t.createdAt < code.expiresAt);
}

/** Mails a new code unless the live one has half its life and all its tries left (challenge details). */
export function challengeWithEmail(model: Model, u: ModelUser): 'mailed' | 'reused' {
  const live = liveEmailCode(u, model.now);
  const reusable = live && live.attempts < MODEL_POLICY.emailCodeMaxAttempts && live.expiresAt - model.now >= (MODEL_POLICY.emailCodeTtlSeconds * 1000) / 2;
  return reusable ? 'reused' : 'mailed';
}

/** The harness read the mailed code: it becomes the user's one live code, continuing a live run. */
export function emailCodeMailed(model: Model, u: ModelUser, code: string): void {
  const live = liveEmailCode(u, model.now);
  u.emailCode = { code, attempts: 0, liveSince: live ? live.liveSince : model.now, expiresAt: model.now + MODEL_POLICY.emailCodeTtlSeconds * 1000, used: false };
}

// ---- verdicts ------------------------------------------------------------------------------------------------

type Verdict =
  | { result: 'ok'; spend: () => void }
  | { result: 'invalid' | 'replayed' | 'exhausted'; emailTry?: ModelEmailCode; passkey?: boolean };

function totpVerdict(model: Model, u: ModelUser, code: string): Verdict {
  const step = stepOfCode(u, code, model.now);
  if (step === null) return { result: 'invalid' };
  if (u.totp!.lastUsedStep !== null && step <= u.totp!.lastUsedStep) return { result: 'replayed' };
  return { result: 'ok', spend: () => void (u.totp!.lastUsedStep = step) };
}

function backupVerdict(u: ModelUser, code: string): Verdict {
  const normalized = backupShape(code);
  const used = normalized === null ? undefined : u.backupCodes.get(normalized);
  if (used === undefined) return { result: 'invalid' };
  if (used) return { result: 'replayed' };
  return { result: 'ok', spend: () => void u.backupCodes.set(normalized!, true) };
}

function emailVerdict(model: Model, u: ModelUser, code: string, t: ModelTransaction | null): Verdict {
  const live = liveEmailCode(u, model.now);
  if (!live) return { result: 'invalid' };
  if (live.attempts >= MODEL_POLICY.emailCodeMaxAttempts) return { result: 'exhausted' };
  if (emailBound(live, t) && live.code === code) {
    return { result: 'ok', spend: () => Object.assign(live, { used: true, attempts: live.attempts + 1 }) };
  }
  return { result: 'invalid', emailTry: live };
}

/** Which verifier an answer goes to, by its kind and the user's factors (challenge/answer.ts `verify`, as specified). */
function verdictOf(model: Model, u: ModelUser, answer: ModelAnswer, t: ModelTransaction | null): Verdict {
  // An assertion spends its challenge (and moves its key's counter): the same one again finds the challenge spent.
  if (answer.kind === 'webauthn') return answer.assertion === 'fresh' && u.keys.length > 0 ? { result: 'ok', spend: () => undefined } : { result: 'invalid', passkey: true };
  if (answer.kind === 'backup') return u.totp ? backupVerdict(u, answer.code) : { result: 'invalid' };
  if (answer.kind === 'email' && u.emailOn) return emailVerdict(model, u, answer.code, t);
  if (u.totp) {
    const verdict = totpVerdict(model, u, answer.code);
    return verdict.result === 'invalid' && backupShape(answer.code) ? backupVerdict(u, answer.code) : verdict;
  }
  if (u.emailOn) return emailVerdict(model, u, answer.code, t);
  // A key-only account has no code to give: a code is read as a missing assertion.
  return { result: 'invalid', passkey: u.keys.length > 0 };
}

/** A code none of the user's factors could have produced is a typing slip: refused before anything counts. */
function plausible(u: ModelUser, answer: ModelAnswer): boolean {
  if (answer.kind !== 'code') return true;
  if (u.totp) return /^\d{6}$/.test(answer.code) || backupShape(answer.code) !== null;
  if (u.emailOn) return /^\d{6}$/.test(answer.code);
  return true;
}

/** A wrong answer's write: an attempt of the transaction, a try of the email code, a failure unless a replay. */
function rejectAnswer(model: Model, u: ModelUser, verdict: Exclude<Verdict, { result: 'ok' }>, t: ModelTransaction | null): void {
  if (t) t.attempts += 1;
  if (verdict.emailTry) verdict.emailTry.attempts += 1;
  if (verdict.result !== 'replayed') countFailure(model, u);
}

// ---- sign-in -------------------------------------------------------------------------------------------------

export type SignInExpectation = { outcome: Outcome; session: boolean; transaction: boolean; mail: boolean; viaDevice: boolean };

/** A right password: a session (no factor, or a remembered device), a transaction for the second factor, or the lock. */
export function expectSignIn(model: Model, u: ModelUser, options: { preferEmail: boolean; deviceToken: string | null }): SignInExpectation {
  const none = { session: false, transaction: false, mail: false, viaDevice: false };
  if (!hasFactor(u)) return { ...none, outcome: ok(), session: true };
  const device = options.deviceToken && u.devices.find((d) => d.token === options.deviceToken && !d.revoked && d.expiresAt > model.now);
  if (device) return { ...none, outcome: ok(), session: true, viaDevice: true };
  if (isLocked(u, model.now)) return { ...none, outcome: error('account_locked') };
  const method = options.preferEmail && u.emailOn ? 'email' : u.totp ? 'totp' : u.emailOn ? 'email' : 'webauthn';
  const mail = method === 'email' && challengeWithEmail(model, u) === 'mailed';
  return { ...none, outcome: ok(), transaction: true, mail };
}

export function addSession(model: Model, u: ModelUser, session: { id: string; token: string }, secondFactor: boolean): void {
  u.sessions.push({ ...session, revoked: false, expiresAt: model.now + MODEL_POLICY.sessionTtlSeconds * 1000, secondFactorAt: secondFactor ? model.now : null, passwordAt: model.now });
}

export function addTransaction(model: Model, u: ModelUser, id: string): void {
  u.transactions.push({ id, createdAt: model.now, expiresAt: model.now + MODEL_POLICY.transactionTtlSeconds * 1000, attempts: 0, consumedAt: null, burned: false, answer: null, sessionId: null });
}

/** What completing a sign-in transaction with an answer must do; `commit` applies it once the real session is known. */
export interface CompleteExpectation {
  outcome: Outcome;
  /** Set for a fresh success: record the session (and device) the core issued. */
  commit?: (issued: { sessionId: string; token: string; deviceToken: string | null }) => void;
  /** The session a repeated request gets back. */
  sameSessionId?: string;
}

export function expectComplete(model: Model, u: ModelUser, t: ModelTransaction, answer: ModelAnswer, rememberDevice: boolean): CompleteExpectation {
  const { now } = model;
  if (t.consumedAt !== null) {
    // (No session recorded yet: a racer of the same burst, whose session the harness records after it.)
    const session = u.sessions.find((s) => s.id === t.sessionId);
    const live = t.sessionId === null || (session !== undefined && !session.revoked);
    const repeat = t.answer === answerKey(answer) && now - t.consumedAt < MODEL_POLICY.retryWindowSeconds * 1000 && live;
    if (!repeat) return { outcome: error('transaction_used') };
    return session ? { outcome: ok(true), sameSessionId: session.id } : { outcome: ok(true) };
  }
  if (t.burned || t.attempts >= MODEL_POLICY.transactionMaxAttempts) return { outcome: error('transaction_locked') };
  if (t.expiresAt <= now) return { outcome: error('transaction_expired') };
  if (isLocked(u, now)) return { outcome: error('account_locked') };
  if (!hasFactor(u)) {
    t.burned = true;
    return { outcome: error('transaction_not_found') };
  }
  if (!plausible(u, answer)) return { outcome: error('code_malformed') };
  const verdict = verdictOf(model, u, answer, t);
  if (verdict.result !== 'ok') {
    rejectAnswer(model, u, verdict, t);
    return { outcome: error(verdict.passkey ? 'webauthn_invalid' : 'code_invalid') };
  }
  verdict.spend();
  Object.assign(t, { attempts: t.attempts + 1, consumedAt: now, answer: answerKey(answer) });
  resetThrottle(u);
  return {
    outcome: ok(false),
    commit(issued) {
      t.sessionId = issued.sessionId;
      addSession(model, u, { id: issued.sessionId, token: issued.token }, true);
      if (rememberDevice && issued.deviceToken) u.devices.push({ token: issued.deviceToken, expiresAt: now + MODEL_POLICY.trustedDeviceTtlSeconds * 1000, revoked: false });
    },
  };
}

/** Key options for a pending sign-in: only while it can still be answered, and only for a user with keys. */
export function expectAssertionOptions(model: Model, u: ModelUser, t: ModelTransaction): Outcome {
  if (t.consumedAt !== null) return error('transaction_used');
  if (t.burned || t.attempts >= MODEL_POLICY.transactionMaxAttempts) return error('transaction_locked');
  if (t.expiresAt <= model.now) return error('transaction_expired');
  return u.keys.length > 0 ? ok() : error('webauthn_not_enabled');
}

// ---- sessions ------------------------------------------------------------------------------------------------

export function expectAuthenticate(model: Model, s: ModelSession): Outcome {
  if (s.revoked) return error('not_authenticated');
  if (s.expiresAt <= model.now) return error('session_expired');
  return ok();
}

export function expectRevoke(s: ModelSession): Outcome {
  if (s.revoked) return error('not_found');
  s.revoked = true;
  return ok();
}

/** A factor went or was replaced: every other session ends and remembered devices are forgotten (ASVS 2.8.6). */
function endOtherSessions(model: Model, u: ModelUser, keep: ModelSession): void {
  for (const s of u.sessions) if (s !== keep) s.revoked = true;
  for (const d of u.devices) if (d.expiresAt > model.now) d.revoked = true;
}

// ---- protected operations: the policy table's factor-change rows ---------------------------------------------

export type FactorChange = 'enrol-totp' | 'disable-totp' | 'enable-email' | 'disable-email' | 'regenerate-backup' | 'add-passkey' | 'remove-passkey';

export interface ChangeExpectation {
  outcome: Outcome;
  /** The core mails an email code (a challenge naming email). */
  mail: boolean;
  /** The answer given along was accepted (and spent). */
  answered?: boolean;
  /** Once it went through: record what the core issued (a new authenticator and its backup codes, new codes). */
  commit?: (issued: { secret: Uint8Array | null; backupCodes: string[]; keyId: string | null }) => void;
}

/**
 * FACTOR_CHANGE (challenge/policy.ts, security.md threat 8): a user with a factor shows one now, or answered one
 * in this session within the step-up window; a user with none proved the password within the window.
 */
function authorise(model: Model, u: ModelUser, session: ModelSession, answer: ModelAnswer | null): { passed: true; answered: boolean } | { passed: false; outcome: Outcome; mail: boolean } {
  const window = MODEL_POLICY.stepUpWindowSeconds * 1000;
  if (!answer) {
    const since = hasFactor(u) ? session.secondFactorAt : session.passwordAt;
    if (since !== null && model.now - since < window) return { passed: true, answered: false };
    const mail = !u.totp && u.emailOn && challengeWithEmail(model, u) === 'mailed';
    return { passed: false, outcome: error('second_factor_required'), mail };
  }
  if (!plausible(u, answer)) return { passed: false, outcome: error('second_factor_invalid'), mail: false };
  const verdict = verdictOf(model, u, answer, null);
  if (isLocked(u, model.now)) return { passed: false, outcome: error('account_locked'), mail: false };
  if (verdict.result !== 'ok') {
    rejectAnswer(model, u, verdict, null);
    return { passed: false, outcome: error(verdict.result === 'exhausted' ? 'second_factor_max_attempts' : 'second_factor_invalid'), mail: false };
  }
  verdict.spend();
  resetThrottle(u);
  session.secondFactorAt = model.now;
  return { passed: true, answered: true };
}

export function expectChange(model: Model, u: ModelUser, change: FactorChange, session: ModelSession, answer: ModelAnswer | null): ChangeExpectation {
  const refused = (code: string): ChangeExpectation => ({ outcome: error(code), mail: false });
  if ((change === 'disable-totp' && !u.totp && !u.pendingTotp) || (change === 'regenerate-backup' && !u.totp)) return refused('totp_not_enabled');
  // The harness removes the user's oldest key (none: a key of nobody's, which is not found before any proof).
  if (change === 'remove-passkey' && u.keys.length === 0) return refused('webauthn_credential_not_found');
  // Turning email codes on when on, or off when off, asks nothing and changes nothing.
  if ((change === 'enable-email' && u.emailOn) || (change === 'disable-email' && !u.emailOn)) return { outcome: ok(), mail: false };
  const authorised = authorise(model, u, session, answer);
  if (!authorised.passed) return { outcome: authorised.outcome, mail: authorised.mail };
  return { ...expectAuthorisedChange(model, u, change, session), answered: authorised.answered };
}

function expectAuthorisedChange(model: Model, u: ModelUser, change: FactorChange, session: ModelSession): ChangeExpectation {
  switch (change) {
    case 'enrol-totp':
      return expectEnrolment(model, u, session);
    case 'disable-totp':
      Object.assign(u, { totp: null, pendingTotp: false, backupCodes: new Map() });
      endOtherSessions(model, u, session);
      return { outcome: ok(), mail: false };
    case 'enable-email':
      u.emailOn = true;
      return { outcome: ok(), mail: false };
    case 'disable-email':
      u.emailOn = false;
      endOtherSessions(model, u, session);
      return { outcome: ok(), mail: false };
    case 'regenerate-backup':
      return { outcome: ok(), mail: false, commit: ({ backupCodes }) => void (u.backupCodes = backupMap(backupCodes)) };
    case 'add-passkey':
      return { outcome: ok(), mail: false, commit: ({ keyId }) => void u.keys.push(keyId!) };
    case 'remove-passkey':
      u.keys.shift();
      endOtherSessions(model, u, session);
      return { outcome: ok(), mail: false };
  }
}

/** The enrolment's confirmation, asked with the session's now-recent proof: its first code activates it. */
function expectEnrolment(model: Model, u: ModelUser, session: ModelSession): ChangeExpectation {
  // The confirmation asks again, with the proof the enrolment just left on the session (or the same window).
  const again = authorise(model, u, session, null);
  if (!again.passed) {
    u.pendingTotp = true;
    return { outcome: again.outcome, mail: again.mail };
  }
  if (isLocked(u, model.now)) {
    u.pendingTotp = true;
    return { outcome: error('account_locked'), mail: false };
  }
  const replaced = u.totp !== null;
  resetThrottle(u);
  return {
    outcome: ok(),
    mail: false,
    commit: ({ secret, backupCodes }) => {
      Object.assign(u, { totp: { secret: secret!, lastUsedStep: stepAt(model.now) }, pendingTotp: false, backupCodes: backupMap(backupCodes) });
      if (replaced) endOtherSessions(model, u, session);
    },
  };
}

const backupMap = (codes: string[]) => new Map(codes.map((c) => [c.replace('-', ''), false] as const));
