/**
 * The commands of a model run (fast-check `fc.commands`): each one a thing a user or an attacker does, applied to
 * the real core and to the model by the harness.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import type { Proof, WebAuthnAnswer } from '../../src/core/challenge/proof.ts';
import { CONTEXT, Harness, type StepFacts } from './harness.ts';
import {
  addSession,
  addTransaction,
  emailCodeMailed,
  expectAssertionOptions,
  expectAuthenticate,
  expectChange,
  expectComplete,
  expectRevoke,
  expectSignIn,
  isLocked,
  liveEmailCode,
  rightTotpCode,
  stepAt,
  stepOfCode,
  totpCode,
  wrongCode,
  type FactorChange,
  type Model,
  type ModelAnswer,
  type ModelTransaction,
  type ModelUser,
  type Outcome,
  MODEL_POLICY,
} from './model.ts';

export const USERS = 2;

class ModelCommand implements fc.AsyncCommand<Model, Harness> {
  constructor(
    private readonly label: string,
    private readonly guard: (m: Model) => boolean,
    private readonly act: (m: Model, h: Harness) => Promise<StepFacts | void>,
  ) {}
  check(m: Readonly<Model>): boolean {
    return this.guard(m as Model);
  }
  async run(m: Model, h: Harness): Promise<void> {
    commandsRun += 1;
    const name = this.label.slice(0, this.label.indexOf('('));
    commandTally.set(name, (commandTally.get(name) ?? 0) + 1);
    await h.step(m, () => this.act(m, h));
  }
  toString(): string {
    return this.label;
  }
}

/** Commands executed so far in this process (every sequence, shrinking included), and by kind. */
export let commandsRun = 0;
export const commandTally = new Map<string, number>();

const registered = (i: number) => (m: Model) => m.users[i]!.id !== null;
const withSessions = (i: number) => (m: Model) => registered(i)(m) && m.users[i]!.sessions.length > 0;
const withTransactions = (i: number) => (m: Model) => registered(i)(m) && m.users[i]!.transactions.length > 0;
const pickSession = (u: ModelUser, pick: number) => u.sessions[u.sessions.length - 1 - (pick % Math.min(3, u.sessions.length))]!;
const pickTransaction = (u: ModelUser, pick: number) => u.transactions[u.transactions.length - 1 - (pick % Math.min(3, u.transactions.length))]!;
/** The proof a client sends for an answer (a passkey's is the assertion the harness's authenticator made). */
const proofOf = (h: Harness, a: ModelAnswer): Proof => (a.kind === 'webauthn' ? { kind: 'webauthn', response: h.assertions.get(a.code) ?? null } : { kind: a.kind, code: a.code });

function result(r: { outcome: Outcome; value?: { repeated: boolean } | undefined }): Outcome {
  return r.outcome.ok ? { ok: true, repeated: r.value!.repeated } : r.outcome;
}

type AnswerType = 'right-totp' | 'replayed-totp' | 'old-step' | 'wrong' | 'backup-unused' | 'backup-used' | 'backup-unknown' | 'email-right' | 'email-wrong' | 'passkey' | 'passkey-replayed';

/** The answer a user (or someone else) types, from what the model knows the user holds. */
function answerFor(m: Model, u: ModelUser, type: AnswerType, seed: number): ModelAnswer {
  const wrong: ModelAnswer = { kind: 'code', code: wrongCode(u, m.now, seed) };
  const backupKind = seed % 2 === 0 ? 'backup' : 'code';
  const codes = [...u.backupCodes.entries()];
  switch (type) {
    case 'right-totp':
      return u.totp ? { kind: 'code', code: rightTotpCode(u, m.now) } : wrong;
    case 'replayed-totp':
      return u.totp?.lastUsedStep != null ? { kind: 'code', code: totpCode(u.totp.secret, u.totp.lastUsedStep) } : wrong;
    case 'old-step':
      return u.totp ? { kind: 'code', code: totpCode(u.totp.secret, stepAt(m.now) - 2) } : wrong;
    case 'wrong':
      return wrong;
    case 'backup-unused': {
      const unused = codes.find(([, used]) => !used);
      return unused ? { kind: backupKind, code: unused[0] } : wrong;
    }
    case 'backup-used': {
      const used = codes.find(([, isUsed]) => isUsed);
      return used ? { kind: backupKind, code: used[0] } : wrong;
    }
    case 'backup-unknown':
      return { kind: backupKind, code: ['HJKMNPQR', 'ZZZZ2345', 'ABCD6789'].find((c) => !u.backupCodes.has(c))! };
    case 'email-right': {
      const live = liveEmailCode(u, m.now);
      return { kind: 'email', code: live?.code ?? wrong.code };
    }
    case 'email-wrong':
      return { kind: 'email', code: wrong.code };
    case 'passkey':
    case 'passkey-replayed':
      // A fresh assertion is made by the command itself (it needs the transaction's key options first).
      return u.lastAssertion ? { kind: 'webauthn', code: u.lastAssertion, assertion: 'stale' } : wrong;
  }
}

/** What an accepted answer spends, as the harness counts it for "never accepted twice". */
function spentBy(m: Model, u: ModelUser, a: ModelAnswer): string {
  const backup = `backup:${u.id}:${a.code.toUpperCase()}`;
  if (a.kind === 'webauthn') return `webauthn:${a.code}`;
  if (a.kind === 'backup') return backup;
  if (a.kind === 'email' && u.emailOn) return `email:${u.id}:${a.code}:${liveEmailCode(u, m.now)?.liveSince}`;
  const step = stepOfCode(u, a.code, m.now);
  if (u.totp && step !== null) return `totp:${Buffer.from(u.totp.secret).toString('hex')}:${step}`;
  return u.totp ? backup : `email:${u.id}:${a.code}:${liveEmailCode(u, m.now)?.liveSince}`;
}

/** A mail the model expects (or not): the code it carried becomes the model's live code. */
function expectMail(m: Model, h: Harness, u: ModelUser, before: number, expected: boolean): void {
  const codes = h.emailCodes(u.email);
  expect(codes.length - before, `email codes mailed to ${u.email}`).toBe(expected ? 1 : 0);
  if (expected) emailCodeMailed(m, u, codes.at(-1)!);
}

const register = (i: number) =>
  new ModelCommand(`register(${i})`, () => true, async (m, h) => {
    const u = m.users[i]!;
    const { outcome, value } = await h.outcome(h.core().auth.register({ email: u.email, password: u.password }));
    if (u.id) return void expect(outcome).toEqual({ ok: false, error: 'user_exists' });
    expect(outcome).toEqual({ ok: true });
    u.id = value!.user.id;
    // The address is verified (email codes go to verified addresses only).
    const link = h.system.notices.last('verify-email', u.email).link;
    await h.core().auth.confirmEmail(new URL(link).searchParams.get('token'));
  });

const signIn = (i: number, preferEmail: boolean, withDevice: boolean) =>
  new ModelCommand(`signIn(${i}${preferEmail ? ', email' : ''}${withDevice ? ', device' : ''})`, registered(i), async (m, h) => {
    const u = m.users[i]!;
    const deviceToken = withDevice ? (u.devices.at(-1)?.token ?? null) : null;
    const exp = expectSignIn(m, u, { preferEmail, deviceToken });
    const mails = h.emailCodes(u.email).length;
    const options = { ...(preferEmail ? { preferredMethod: 'email' } : {}), ...(deviceToken ? { deviceToken } : {}) };
    const { outcome, value } = await h.outcome(h.core().auth.signIn({ identity: u.email, password: u.password }, CONTEXT, options));
    expect(outcome).toEqual(exp.outcome);
    if (value?.kind === 'session') {
      expect(exp.session).toBe(true);
      addSession(m, u, { id: value.issued.session.id, token: value.issued.token }, false);
    }
    if (value?.kind === 'second_factor') {
      expect(exp.transaction).toBe(true);
      addTransaction(m, u, value.transactionId);
    }
    expectMail(m, h, u, mails, exp.mail);
  });

async function complete(h: Harness, t: ModelTransaction, a: ModelAnswer, rememberDevice: boolean) {
  return h.outcome(h.core().auth.completeSecondFactor({ transactionId: t.id, proof: proofOf(h, a), rememberDevice }, CONTEXT));
}

/** A passkey answer to a pending sign-in: the key options for it (which may be refused), then a fresh assertion. */
async function freshAssertion(m: Model, h: Harness, i: number, t: ModelTransaction): Promise<ModelAnswer | null> {
  const u = m.users[i]!;
  const options = await h.outcome(h.core().auth.webauthnOptions(t.id));
  expect(options.outcome, 'key options for the sign-in').toEqual(expectAssertionOptions(m, u, t));
  if (!options.value) return null;
  const response = h.deviceFor(options.value).authenticate(options.value);
  h.assertions.set(response.response.signature, response as unknown as WebAuthnAnswer);
  return { kind: 'webauthn', code: response.response.signature, assertion: 'fresh' };
}

const answer = (i: number, pick: number, type: AnswerType, remember: boolean, seed: number) =>
  new ModelCommand(`answer(${i}, tx ${pick}, ${type}${remember ? ', remember' : ''})`, withTransactions(i), async (m, h) => {
    const u = m.users[i]!;
    const t = pickTransaction(u, pick);
    const a = type === 'passkey' ? await freshAssertion(m, h, i, t) : answerFor(m, u, type, seed);
    if (!a) return;
    const spent = spentBy(m, u, a);
    const exp = expectComplete(m, u, t, a, remember);
    const real = await complete(h, t, a, remember);
    expect(result(real), `${a.kind} ${a.code}`).toEqual(exp.outcome);
    if (exp.sameSessionId) expect(real.value!.issued.session.id).toBe(exp.sameSessionId);
    if (exp.commit) {
      h.completed(t.id);
      h.spend(spent);
      if (a.kind === 'webauthn') u.lastAssertion = a.code;
      const { issued, device } = real.value!;
      exp.commit({ sessionId: issued.session.id, token: issued.token, deviceToken: device?.token ?? null });
    }
  });

/** The same answer sent several times at once (a double click, a retry storm, an attacker racing the user). */
const burst = (i: number, pick: number, n: number, right: boolean, seed: number) =>
  new ModelCommand(`burst(${i}, tx ${pick}, ${n} × ${right ? 'right' : 'wrong'})`, withTransactions(i), async (m, h) => {
    const u = m.users[i]!;
    const t = pickTransaction(u, pick);
    const a = right ? answerFor(m, u, u.totp ? 'right-totp' : 'email-right', seed) : answerFor(m, u, 'wrong', seed);
    const spent = spentBy(m, u, a);
    // One after another in the model; all at once for real: the atomic writes must make it come out the same.
    const expectations = Array.from({ length: n }, () => expectComplete(m, u, t, a, false));
    const real = await Promise.all(Array.from({ length: n }, () => complete(h, t, a, false)));
    // Which racers find the transaction closed (by the cap, by the lock one of them began, or burned because its
    // factor is gone) and which find the reason itself is a race: all of them are "closed".
    const closedBy = new Set(['transaction_locked', 'account_locked', 'transaction_not_found']);
    const closed = (o: Outcome) => (!o.ok && closedBy.has(o.error) ? 'closed' : JSON.stringify(o));
    expect(real.map((r) => closed(result(r))).sort()).toEqual(expectations.map((e) => closed(e.outcome)).sort());
    const fresh = expectations.find((e) => e.commit);
    if (fresh) {
      const winner = real.find((r) => r.outcome.ok && !r.value!.repeated)!;
      expect(new Set(real.map((r) => r.value?.issued.session.id)).size, 'one session for one transaction').toBe(1);
      h.completed(t.id);
      h.spend(spent);
      fresh.commit!({ sessionId: winner.value!.issued.session.id, token: winner.value!.issued.token, deviceToken: null });
    }
  });

const answerable = (m: Model, t: ModelTransaction) => t.consumedAt === null && !t.burned && t.attempts < MODEL_POLICY.transactionMaxAttempts && t.expiresAt > m.now;

/** One backup code, two pending sign-ins, both at once: it may open one of them (threat 14). */
const backupRace = (i: number) =>
  new ModelCommand(
    `backupRace(${i})`,
    (m) => {
      const u = m.users[i]!;
      return registered(i)(m) && u.totp !== null && !isLocked(u, m.now) && [...u.backupCodes.values()].includes(false) && u.transactions.filter((t) => answerable(m, t)).length >= 2;
    },
    async (m, h) => {
      const u = m.users[i]!;
      const [t1, t2] = u.transactions.filter((t) => answerable(m, t)).slice(-2) as [ModelTransaction, ModelTransaction];
      const a: ModelAnswer = { kind: 'backup', code: [...u.backupCodes.entries()].find(([, used]) => !used)![0] };
      const spent = spentBy(m, u, a);
      const real = await Promise.all([complete(h, t1, a, false), complete(h, t2, a, false)]);
      const winner = real[1]!.outcome.ok ? 1 : 0;
      const order = winner === 1 ? [t2, t1] : [t1, t2];
      const expectations = order.map((t) => expectComplete(m, u, t, a, false));
      expect([result(real[winner]!), result(real[1 - winner]!)]).toEqual(expectations.map((e) => e.outcome));
      h.completed(order[0]!.id);
      h.spend(spent);
      const { issued } = real[winner]!.value!;
      expectations[0]!.commit?.({ sessionId: issued.session.id, token: issued.token, deviceToken: null });
    },
  );

type ProofType = 'none' | 'right' | 'wrong';

function changeAnswer(m: Model, u: ModelUser, proof: ProofType, seed: number): ModelAnswer | null {
  if (proof === 'wrong') return { kind: 'code', code: wrongCode(u, m.now, seed) };
  if (proof === 'none') return null;
  if (u.totp) return { kind: 'code', code: rightTotpCode(u, m.now) };
  const live = u.emailOn ? liveEmailCode(u, m.now) : null;
  return live ? { kind: 'email', code: live.code } : null;
}

/** A factor change asked in one of the user's sessions: the policy table decides whether its proof is enough. */
const change = (i: number, what: FactorChange, proof: ProofType, pick: number, seed: number) =>
  new ModelCommand(`change(${i}, ${what}, proof ${proof}, session ${pick})`, withSessions(i), async (m, h) => {
    const u = m.users[i]!;
    const s = pickSession(u, pick);
    const signedIn = await h.outcome(h.core().auth.authenticate(s.token));
    expect(signedIn.outcome).toEqual(expectAuthenticate(m, s));
    if (!signedIn.value) return;
    const a = changeAnswer(m, u, proof, seed);
    const spent = a ? spentBy(m, u, a) : null;
    const mails = h.emailCodes(u.email).length;
    // The key a removal names: the user's oldest (taken before the model forgets it), else one that is nobody's.
    const keyToRemove = u.keys[0] ?? randomUUID();
    const exp = expectChange(m, u, what, s, a);
    const asker = { session: signedIn.value.session, context: CONTEXT, proof: a ? proofOf(h, a) : null };
    const core = h.core();
    let secret: Uint8Array | null = null;
    let keyId: string | null = null;
    let real: { outcome: Outcome; value?: { backupCodes: string[] } | { pendingUntil: Date | null } | void } = { outcome: { ok: false, error: 'not run' } };
    switch (what) {
      case 'enrol-totp': {
        const enrolled = await h.outcome(core.factors.totp.enrol(u.id!, asker));
        real = { outcome: enrolled.outcome };
        if (enrolled.value) {
          // The confirmation is the next request: the session as it is now, offering what it proved recently.
          const session = (await h.core().auth.authenticate(s.token)).session;
          secret = decodeBase32(enrolled.value.secret);
          const code = totpCode(secret, stepAt(m.now));
          real = await h.outcome(h.core().factors.totp.confirm(u.id!, { kind: 'code', code }, { session, context: CONTEXT, proof: { kind: 'recent', sessionId: session.id } }));
          if (real.outcome.ok) h.spend(`totp:${Buffer.from(secret).toString('hex')}:${stepAt(m.now)}`);
        }
        break;
      }
      case 'disable-totp':
        real = await h.outcome(core.factors.totp.disable(u.id!, asker));
        break;
      case 'enable-email':
        real = await h.outcome(core.factors.email.enable(u.id!, asker));
        break;
      case 'disable-email':
        real = await h.outcome(core.factors.email.disable(u.id!, asker));
        break;
      case 'regenerate-backup':
        real = await h.outcome(core.factors.backup.regenerate(u.id!, asker));
        break;
      case 'add-passkey': {
        const options = await h.outcome(core.factors.webauthn.registrationOptions(u.id!, asker));
        real = { outcome: options.outcome };
        if (options.value) {
          const key = await h.outcome(h.core().factors.webauthn.register(u.id!, `model key ${(keyNames += 1)}`, h.newAuthenticator().register(options.value), CONTEXT));
          real = { outcome: key.outcome };
          keyId = key.value?.id ?? null;
        }
        break;
      }
      case 'remove-passkey':
        real = await h.outcome(core.factors.webauthn.remove(u.id!, keyToRemove, asker));
        break;
    }
    expect(real.outcome, `${what} with ${a ? `${a.kind} ${a.code}` : 'no answer'}`).toEqual(exp.outcome);
    if (exp.answered && spent) h.spend(spent);
    expectMail(m, h, u, mails, exp.mail);
    exp.commit?.({ secret, backupCodes: real.value && 'backupCodes' in real.value ? real.value.backupCodes : [], keyId });
    return { changeSession: { userIndex: i, sessionId: s.id } };
  });

const revoke = (i: number, pick: number) =>
  new ModelCommand(`revoke(${i}, session ${pick})`, withSessions(i), async (m, h) => {
    const u = m.users[i]!;
    const s = pickSession(u, pick);
    const exp = expectRevoke(s);
    expect((await h.outcome(h.core().sessions.revoke(u.id!, s.id))).outcome).toEqual(exp);
  });

const authenticate = (i: number, pick: number) =>
  new ModelCommand(`authenticate(${i}, session ${pick})`, withSessions(i), async (m, h) => {
    const s = pickSession(m.users[i]!, pick);
    expect((await h.outcome(h.core().auth.authenticate(s.token))).outcome).toEqual(expectAuthenticate(m, s));
  });

const advance = (ms: number) =>
  new ModelCommand(`advance(${ms / 1000} s)`, () => true, async (m, h) => {
    m.now += ms;
    h.clock.advance(ms);
  });

// Mostly the first user (registered, with an authenticator, from the start); the second starts from nothing.
const user = fc.constantFrom(0, 0, 0, 1);
const pick = fc.nat({ max: 5 });
const seed = fc.nat({ max: 1_000_000 });
const answerTypes: AnswerType[] = ['right-totp', 'right-totp', 'replayed-totp', 'old-step', 'wrong', 'backup-unused', 'backup-used', 'backup-unknown', 'email-right', 'email-wrong', 'passkey', 'passkey-replayed'];
// A user's keys have names of their own (a second key named like the first is refused): each new key gets a new one.
let keyNames = 0;

const changes: FactorChange[] = ['enrol-totp', 'enrol-totp', 'disable-totp', 'enable-email', 'disable-email', 'regenerate-backup', 'add-passkey', 'remove-passkey'];

/** Every command, weighted toward what moves the state machine. */
export function modelCommands(): Array<fc.Arbitrary<fc.AsyncCommand<Model, Harness>>> {
  const weighted = [
    { weight: 1, arbitrary: user.map(register) },
    { weight: 5, arbitrary: fc.tuple(user, fc.boolean(), fc.boolean()).map(([i, e, d]) => signIn(i, e, d)) },
    { weight: 8, arbitrary: fc.tuple(user, pick, fc.constantFrom(...answerTypes), fc.boolean(), seed).map(([i, p, t, r, s]) => answer(i, p, t, r, s)) },
    { weight: 2, arbitrary: fc.tuple(user, pick, fc.integer({ min: 2, max: 4 }), fc.boolean(), seed).map(([i, p, n, r, s]) => burst(i, p, n, r, s)) },
    { weight: 1, arbitrary: user.map(backupRace) },
    { weight: 5, arbitrary: fc.tuple(user, fc.constantFrom(...changes), fc.constantFrom<ProofType>('none', 'right', 'wrong'), pick, seed).map(([i, c, p, k, s]) => change(i, c, p, k, s)) },
    { weight: 1, arbitrary: fc.tuple(user, pick).map(([i, p]) => revoke(i, p)) },
    { weight: 1, arbitrary: fc.tuple(user, pick).map(([i, p]) => authenticate(i, p)) },
    { weight: 3, arbitrary: fc.constantFrom(1_000, 29_000, 30_000, 61_000, 301_000, 601_000, 3_600_000, 86_401_000).map(advance) },
  ].map(({ weight, arbitrary }) => ({ weight, arbitrary: arbitrary as fc.Arbitrary<fc.AsyncCommand<Model, Harness>> }));
  return [fc.oneof(...weighted)];
}
