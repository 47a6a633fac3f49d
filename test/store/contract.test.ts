// The memory stores (src/store/memory) stand in for the SQL stores wherever a test is about rules, not SQL: the
// model-based runs and mutation testing build whole cores on them. So both must behave alike where it matters
// for security — the atomic proof writes of migration 0008 (per-transaction cap, TOTP step replay, backup codes
// used once, email code tries, the account lockout), sessions, transactions and uniqueness. Each check below runs
// against both: the SQL stores on the suite's shared database, and a fresh set of memory stores.
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AcceptWrite, Claim, RejectWrite } from '../../src/core/challenge/store.ts';
import type { ThrottlePolicy } from '../../src/core/challenge/throttle.ts';
import type { AmrValue } from '../../src/core/sessions/amr.ts';
import type { TotpCredential } from '../../src/core/factors/totp-store.ts';
import type { CoreStores } from '../../src/core/index.ts';
import type { NewFactorChange } from '../../src/core/factor-changes/store.ts';
import { createStores } from '../../src/store/index.ts';
import { memoryStores } from '../../src/store/memory/index.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { memoryKeyRing } from '../helpers/memory-core.ts';

const implementations: Array<[string, () => Promise<CoreStores>]> = [
  ['memory', async () => memoryStores()],
  ['sql', async () => createStores(await testDb())],
];

// The shared database is created and migrated once for the whole run (seconds, more on a loaded machine).
beforeAll(() => testDb(), 180_000);

const throttle: ThrottlePolicy = { failuresPerLockout: 3, baseLockSeconds: 60, maxConsecutiveFailures: 100 };
const MAX_ATTEMPTS = 3;
const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);

async function newUser(stores: CoreStores, options: { username?: string } = {}) {
  const email = uniqueEmail('contract');
  return stores.users.insert({ id: randomUUID(), email, emailNormalized: email, username: options.username ?? null, passwordHash: 'not a hash', createdAt: new Date() });
}

// Sealed with the suite's key: these rows stay in the shared database, where key rotation and TOTP export open them.
const keyRing = memoryKeyRing();

function credential(userId: string, state: TotpCredential['state'], now: Date): TotpCredential {
  const id = randomUUID();
  return {
    id,
    userId,
    state,
    secretSealed: keyRing.encrypt(randomBytes(20), `totp:${id}`),
    params: { algorithm: 'SHA1', digits: 6, periodSeconds: 30 },
    lastUsedStep: null,
    createdAt: now,
    activatedAt: null,
  };
}

async function activeAuthenticator(stores: CoreStores, userId: string, now: Date): Promise<TotpCredential> {
  const c = credential(userId, 'pending', now);
  await stores.totp.insertUnconfirmed(c);
  expect(await stores.challenge.accept(accept(userId, now, { kind: 'none' }, { activate: { credentialId: c.id, backupCodeHashes: ['a', 'b'] } }))).toMatchObject({ status: 'accepted' });
  return c;
}

async function openLogin(stores: CoreStores, userId: string, now: Date, ttlSeconds = 300, credentialId: string | null = null): Promise<Buffer> {
  const idHash = randomBytes(32);
  await stores.transactions.insert(idHash, { userId, purpose: credentialId ? 'enroll' : 'login', credentialId, createdAt: now, expiresAt: at(now, ttlSeconds) });
  return idHash;
}

function accept(userId: string, now: Date, claim: Claim, extra: Partial<AcceptWrite> = {}): AcceptWrite {
  return { userId, now, claim, resetThrottle: claim.kind !== 'none', events: [], ...extra };
}

function reject(userId: string, now: Date, extra: Partial<RejectWrite> = {}): RejectWrite {
  return { userId, now, countTowardLockout: true, throttle, events: [], ...extra };
}

/** A registered key of `userId` named `name` (a fresh authenticator id each time). */
const passkey = (userId: string, name: string) => ({
  id: randomUUID(),
  userId,
  credentialId: randomBytes(16).toString('base64url'),
  publicKey: new Uint8Array([1]),
  counter: 0,
  transports: [],
  deviceType: 'multiDevice' as const,
  backedUp: true,
  name,
  createdAt: new Date(),
  lastUsedAt: null,
});

const tx = (idHash: Buffer) => ({ idHash, maxAttempts: MAX_ATTEMPTS, answerHash: 'answer' });

describe.each(implementations)('%s stores', (_name, open) => {
  describe('users', () => {
    it('refuses a second account with the same email or username (any case) as user_exists', async () => {
      const stores = await open();
      const name = `u${randomBytes(6).toString('hex')}`;
      const first = await newUser(stores, { username: name });
      await expect(stores.users.insert({ ...first, id: randomUUID(), username: null })).rejects.toMatchObject({ code: 'user_exists' });
      const email = uniqueEmail('other');
      await expect(stores.users.insert({ id: randomUUID(), email, emailNormalized: email, username: name.toUpperCase(), passwordHash: 'x', createdAt: new Date() })).rejects.toMatchObject({ code: 'user_exists' });
      expect((await stores.users.findByUsername(name.toUpperCase()))?.id).toBe(first.id);
    });

    it('are read for a password sign-in by e-mail or username (any case), with their factor state, in one call', async () => {
      const stores = await open();
      const name = `s${randomBytes(6).toString('hex')}`;
      const user = await newUser(stores, { username: name });
      const now = new Date();
      const authenticator = await activeAuthenticator(stores, user.id, now);
      const byEmail = await stores.challenge.factorsByLogin({ email: user.emailNormalized }, now);
      expect(byEmail?.user.id).toBe(user.id);
      expect(byEmail?.state.authenticator?.id).toBe(authenticator.id);
      expect(byEmail?.state).toEqual(await stores.challenge.factors(user.id, now));
      expect((await stores.challenge.factorsByLogin({ username: name.toUpperCase() }, now))?.user.id).toBe(user.id);
      expect(await stores.challenge.factorsByLogin({ email: uniqueEmail('nobody') }, now)).toBeNull();
      expect(await stores.challenge.factorsByLogin({ username: `n${randomBytes(6).toString('hex')}` }, now)).toBeNull();
    });
  });

  describe('a transaction answered (threats 2, 3, 6)', () => {
    it('completes once: a second right answer finds it gone', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const idHash = await openLogin(stores, user.id, now);
      expect(await stores.challenge.accept(accept(user.id, now, { kind: 'none' }, { transaction: tx(idHash) }))).toEqual({ status: 'accepted', replacedAuthenticator: false });
      expect(await stores.challenge.accept(accept(user.id, now, { kind: 'none' }, { transaction: tx(idHash) }))).toEqual({ status: 'transaction-gone' });
      const found = await stores.transactions.find(idHash);
      expect(found).toMatchObject({ attempts: 1, answerHash: 'answer' });
      expect(found?.consumedAt?.getTime()).toBe(now.getTime());
    });

    it('takes an attempt per wrong answer up to its cap, then counts nothing and accepts nothing', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const idHash = await openLogin(stores, user.id, now);
      const attempts = [];
      for (let i = 0; i < MAX_ATTEMPTS; i += 1) attempts.push(await stores.challenge.reject(reject(user.id, now, { countTowardLockout: false, transaction: { idHash, maxAttempts: MAX_ATTEMPTS } })));
      expect(attempts.map((r) => (r.status === 'counted' ? r.attempts : null))).toEqual([1, 2, 3]);
      expect(await stores.challenge.reject(reject(user.id, now, { transaction: { idHash, maxAttempts: MAX_ATTEMPTS } }))).toEqual({ status: 'transaction-gone' });
      expect(await stores.challenge.accept(accept(user.id, now, { kind: 'none' }, { transaction: tx(idHash) }))).toEqual({ status: 'transaction-gone' });
      expect((await stores.challenge.factors(user.id, now))?.throttle.failures).toBe(0);
    });

    it('is gone once expired, burned, or asked for by another user', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const other = await newUser(stores);
      const now = new Date();
      const expiring = await openLogin(stores, user.id, now, 60);
      expect(await stores.challenge.accept(accept(user.id, at(now, 60), { kind: 'none' }, { transaction: tx(expiring) }))).toEqual({ status: 'transaction-gone' });
      const burned = await openLogin(stores, user.id, now);
      await stores.transactions.burn(burned, now);
      expect(await stores.challenge.accept(accept(user.id, now, { kind: 'none' }, { transaction: tx(burned) }))).toEqual({ status: 'transaction-gone' });
      const foreign = await openLogin(stores, user.id, now);
      expect(await stores.challenge.accept(accept(other.id, now, { kind: 'none' }, { transaction: tx(foreign) }))).toEqual({ status: 'transaction-gone' });
      // The expiring one is still live at `now`, as is the one the other user could not answer.
      expect(await stores.transactions.burnAllForUser(user.id, now)).toBe(2);
    });

    it('reads the transaction with its user factor state in one call', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const authenticator = await activeAuthenticator(stores, user.id, now);
      const idHash = await openLogin(stores, user.id, now);
      const found = await stores.challenge.transaction(idHash, now);
      expect(found?.transaction).toMatchObject({ userId: user.id, purpose: 'login', attempts: 0, consumedAt: null, burnedAt: null });
      expect(found?.state.authenticator?.id).toBe(authenticator.id);
      expect(await stores.challenge.transaction(randomBytes(32), now)).toBeNull();
    });
  });

  describe('TOTP steps (RFC 6238 5.2, threat 14)', () => {
    it('accepts each step once and never one at or below the last used', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const c = await activeAuthenticator(stores, user.id, now);
      const step = (n: number): Claim => ({ kind: 'totp-step', credentialId: c.id, step: n });
      expect((await stores.challenge.accept(accept(user.id, now, step(1000)))).status).toBe('accepted');
      expect((await stores.challenge.accept(accept(user.id, now, step(1000)))).status).toBe('claim-taken');
      expect((await stores.challenge.accept(accept(user.id, now, step(999)))).status).toBe('claim-taken');
      expect((await stores.challenge.accept(accept(user.id, now, step(1001)))).status).toBe('accepted');
      expect((await stores.challenge.factors(user.id, now))?.authenticator?.lastUsedStep).toBe(1001);
    });

    it('changes nothing when the claim is taken: the transaction keeps its attempts and stays open', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const c = await activeAuthenticator(stores, user.id, now);
      const idHash = await openLogin(stores, user.id, now);
      await stores.challenge.accept(accept(user.id, now, { kind: 'totp-step', credentialId: c.id, step: 7 }));
      const session = { id: randomUUID(), userId: user.id, tokenHash: randomBytes(32), client: 'rest' as const, ip: null, userAgent: null, createdAt: now, expiresAt: at(now, 3600), secondFactorAt: now, amr: ['pwd', 'otp', 'mfa'] as AmrValue[] };
      const outcome = await stores.challenge.accept(accept(user.id, now, { kind: 'totp-step', credentialId: c.id, step: 7 }, { transaction: tx(idHash), session }));
      expect(outcome).toEqual({ status: 'claim-taken' });
      expect(await stores.transactions.find(idHash)).toMatchObject({ attempts: 0, consumedAt: null });
      expect(await stores.sessions.findByTokenHash(session.tokenHash)).toBeNull();
    });
  });

  describe('backup codes (threat 14)', () => {
    it('are found by hash, used once, and a used one is told apart from an unknown one', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      await activeAuthenticator(stores, user.id, now);
      await stores.backupCodes.replace(user.id, ['h1', 'h2', 'h3'], now);
      expect(await stores.backupCodes.countUnused(user.id)).toBe(3);
      const found = await stores.challenge.findBackupCode(user.id, ['zz', 'h2']);
      expect(found).toMatchObject({ usedAt: null });
      expect((await stores.challenge.accept(accept(user.id, now, { kind: 'backup-code', id: found!.id }))).status).toBe('accepted');
      expect((await stores.challenge.accept(accept(user.id, now, { kind: 'backup-code', id: found!.id }))).status).toBe('claim-taken');
      expect((await stores.challenge.findBackupCode(user.id, ['h2']))?.usedAt?.getTime()).toBe(now.getTime());
      expect(await stores.challenge.findBackupCode(user.id, ['nope'])).toBeNull();
      expect(await stores.backupCodes.countUnused(user.id)).toBe(2);
    });
  });

  describe('email codes (threat 15)', () => {
    it('keep one live code per user; a resend continues its run; tries are capped', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const first = await stores.emailCodes.replace({ id: randomUUID(), userId: user.id, codeHash: 'c1', createdAt: now, expiresAt: at(now, 600) });
      const second = await stores.emailCodes.replace({ id: randomUUID(), userId: user.id, codeHash: 'c2', createdAt: at(now, 10), expiresAt: at(now, 610) });
      expect(second.liveSince.getTime()).toBe(first.liveSince.getTime());
      expect((await stores.challenge.factors(user.id, at(now, 20)))?.emailCode).toMatchObject({ id: second.id, attempts: 0 });
      const tries = [];
      for (let i = 0; i < 3; i += 1) tries.push(await stores.challenge.reject(reject(user.id, now, { countTowardLockout: false, emailCode: { id: second.id, maxAttempts: 2 } })));
      expect(tries.map((r) => r.status === 'counted' && r.codeExhausted)).toEqual([false, false, true]);
      expect((await stores.challenge.accept(accept(user.id, now, { kind: 'email-code', id: second.id, maxAttempts: 2 }))).status).toBe('claim-taken');
      expect((await stores.challenge.accept(accept(user.id, now, { kind: 'email-code', id: first.id, maxAttempts: 2 }))).status).toBe('claim-taken');
    });

    it('are used once and not after they expire', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const code = await stores.emailCodes.replace({ id: randomUUID(), userId: user.id, codeHash: 'c', createdAt: now, expiresAt: at(now, 600) });
      expect((await stores.challenge.accept(accept(user.id, at(now, 600), { kind: 'email-code', id: code.id, maxAttempts: 5 }))).status).toBe('claim-taken');
      expect((await stores.challenge.factors(user.id, at(now, 600)))?.emailCode).toBeNull();
      const fresh = await stores.emailCodes.replace({ id: randomUUID(), userId: user.id, codeHash: 'd', createdAt: at(now, 700), expiresAt: at(now, 1300) });
      expect(fresh.liveSince.getTime()).toBe(at(now, 700).getTime());
      expect((await stores.challenge.accept(accept(user.id, at(now, 701), { kind: 'email-code', id: fresh.id, maxAttempts: 5 }))).status).toBe('accepted');
      expect((await stores.challenge.accept(accept(user.id, at(now, 702), { kind: 'email-code', id: fresh.id, maxAttempts: 5 }))).status).toBe('claim-taken');
    });
  });

  describe('the account throttle (threats 7, 13)', () => {
    it('locks at the policy count, burns pending sign-ins, refuses answers while locked, and doubles', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const pending = await openLogin(stores, user.id, now);
      const outcomes = [];
      for (let i = 0; i < throttle.failuresPerLockout; i += 1) outcomes.push(await stores.challenge.reject(reject(user.id, now)));
      const lockBegan = outcomes.map((o) => (o.status === 'counted' ? o.lockBegan?.getTime() ?? null : 'not counted'));
      expect(lockBegan).toEqual([null, null, at(now, 60).getTime()]);
      expect(await stores.challenge.reject(reject(user.id, at(now, 30)))).toEqual({ status: 'locked', until: at(now, 60) });
      expect(await stores.challenge.accept(accept(user.id, at(now, 30), { kind: 'none' }))).toEqual({ status: 'locked', until: at(now, 60) });
      expect((await stores.transactions.find(pending))?.burnedAt?.getTime()).toBe(now.getTime());
      const later = at(now, 61);
      for (let i = 0; i < throttle.failuresPerLockout; i += 1) await stores.challenge.reject(reject(user.id, later));
      expect((await stores.challenge.factors(user.id, later))?.throttle).toEqual({ failures: 6, lockedUntil: at(later, 120) });
      await stores.throttle.reset(user.id);
      expect((await stores.challenge.factors(user.id, later))?.throttle).toEqual({ failures: 0, lockedUntil: null });
    });

    it('does not count replays, and a right factor answer ends the run of failures', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const c = await activeAuthenticator(stores, user.id, now);
      await stores.challenge.reject(reject(user.id, now));
      await stores.challenge.reject(reject(user.id, now, { countTowardLockout: false }));
      expect((await stores.challenge.factors(user.id, now))?.throttle.failures).toBe(1);
      await stores.challenge.accept(accept(user.id, now, { kind: 'totp-step', credentialId: c.id, step: 1 }));
      expect((await stores.challenge.factors(user.id, now))?.throttle.failures).toBe(0);
    });

    it('locks until an operator acts after the policy maximum in a row', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const strict = { failuresPerLockout: 1000, baseLockSeconds: 60, maxConsecutiveFailures: 2 };
      await stores.challenge.reject(reject(user.id, now, { throttle: strict }));
      const second = await stores.challenge.reject(reject(user.id, now, { throttle: strict }));
      expect(second.status === 'counted' && second.lockBegan?.getUTCFullYear()).toBe(9999);
    });
  });

  describe('authenticators', () => {
    it('activate with fresh backup codes, replace the active one, and take their enrolment transactions along', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const first = await activeAuthenticator(stores, user.id, now);
      const waiting = credential(user.id, 'pending', now);
      await stores.totp.insertUnconfirmed(waiting);
      const enrol = await openLogin(stores, user.id, now, 300, waiting.id);
      const superseded = credential(user.id, 'armed', now);
      await stores.totp.insertUnconfirmed(superseded);
      expect(await stores.transactions.find(enrol)).toBeNull();
      expect(await stores.totp.findById(waiting.id)).toBeNull();
      expect(await stores.challenge.accept(accept(user.id, now, { kind: 'none' }, { activate: { credentialId: waiting.id, backupCodeHashes: [] } }))).toEqual({ status: 'activation-gone' });
      expect(await stores.challenge.accept(accept(user.id, now, { kind: 'none' }, { activate: { credentialId: superseded.id, backupCodeHashes: ['x'] } }))).toEqual({ status: 'accepted', replacedAuthenticator: true });
      const state = await stores.challenge.factors(user.id, now);
      expect(state?.authenticator?.id).toBe(superseded.id);
      expect(state?.unconfirmed).toBeNull();
      expect(await stores.totp.findById(first.id)).toBeNull();
      expect(await stores.backupCodes.countUnused(user.id)).toBe(1);
      expect(await stores.totp.removeAll(user.id)).toBe(1);
      expect(await stores.backupCodes.countUnused(user.id)).toBe(0);
    });

    it('accept nothing for a disabled account', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      await stores.users.setDisabled(user.id, now, now);
      expect(await stores.challenge.accept(accept(user.id, now, { kind: 'none' }))).toEqual({ status: 'user-disabled' });
    });
  });

  describe('sessions', () => {
    it('authenticate by token hash until revoked; a sign-in answer writes and marks them', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const tokenHash = randomBytes(32);
      const session = { id: randomUUID(), userId: user.id, tokenHash, client: 'rest' as const, ip: '10.0.0.1', userAgent: 'ua', createdAt: now, expiresAt: at(now, 3600), secondFactorAt: null, amr: ['pwd'] as AmrValue[] };
      expect((await stores.challenge.accept(accept(user.id, now, { kind: 'none' }, { session }))).status).toBe('accepted');
      expect((await stores.sessions.findByTokenHash(tokenHash))?.session).toMatchObject({ id: session.id, secondFactorAt: null, secondFactorIp: null, revokedAt: null });
      const later = at(now, 100);
      await stores.challenge.accept(accept(user.id, later, { kind: 'none' }, { markSession: { id: session.id, proved: 'factor', ip: '10.0.0.2', userAgent: 'ua2', amr: ['otp'] } }));
      const marked = (await stores.sessions.findByTokenHash(tokenHash))?.session;
      expect(marked).toMatchObject({ secondFactorIp: '10.0.0.2', secondFactorUserAgent: 'ua2' });
      expect(marked?.secondFactorAt?.getTime()).toBe(later.getTime());
      expect(await stores.sessions.revoke(session.id, user.id, later)).toBe(true);
      expect(await stores.sessions.revoke(session.id, user.id, later)).toBe(false);
      expect(await stores.sessions.findByTokenHash(tokenHash)).toBeNull();
    });

    it('are written with the events that record them, as links of the user\'s chain, or not at all', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const session = { id: randomUUID(), userId: user.id, tokenHash: randomBytes(32), client: 'rest' as const, ip: '10.0.0.9', userAgent: 'ua', createdAt: now, expiresAt: at(now, 3600), secondFactorAt: null, amr: ['pwd'] as AmrValue[] };
      const event = { id: randomUUID(), userId: user.id, kind: 'login_succeeded' as const, client: 'rest' as const, ip: '10.0.0.9', userAgent: 'ua', details: { secondFactor: false }, createdAt: now };
      await stores.sessions.insert(session, [event]);
      expect((await stores.sessions.findByTokenHash(session.tokenHash))?.session.id).toBe(session.id);
      expect(await stores.audit.listForUser(user.id, { limit: 10 })).toEqual([expect.objectContaining({ id: event.id, kind: 'login_succeeded', ip: '10.0.0.9', details: { secondFactor: false } })]);
      expect(await stores.auditChain.verify(user.id)).toMatchObject({ events: 1, breaks: [] });
      // The same event again (its id taken): the second session is not written either.
      const second = { ...session, id: randomUUID(), tokenHash: randomBytes(32) };
      await expect(stores.sessions.insert(second, [event])).rejects.toThrow();
      expect(await stores.sessions.findByTokenHash(second.tokenHash)).toBeNull();
      expect((await stores.audit.listForUser(user.id, { limit: 10 })).length).toBe(1);
    });

    it('list the live ones and end all but one', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const make = (seconds: number) => stores.sessions.insert({ id: randomUUID(), userId: user.id, tokenHash: randomBytes(32), client: 'rest', ip: null, userAgent: null, createdAt: now, expiresAt: at(now, seconds), secondFactorAt: null, amr: ['pwd'] });
      const keep = await make(3600);
      await make(3600);
      await make(10);
      expect((await stores.sessions.listForUser(user.id, at(now, 20))).length).toBe(2);
      expect(await stores.sessions.revokeAllForUser(user.id, at(now, 20), keep.id)).toBe(2);
      expect((await stores.sessions.listForUser(user.id, at(now, 20))).map((s) => s.id)).toEqual([keep.id]);
    });

    it('take their last uses many at a time, never moving one back, and ignore ids that are gone', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const make = () => stores.sessions.insert({ id: randomUUID(), userId: user.id, tokenHash: randomBytes(32), client: 'ddp', ip: null, userAgent: null, createdAt: now, expiresAt: at(now, 3600), secondFactorAt: null, amr: ['pwd'] });
      const [a, b] = [await make(), await make()];
      await stores.sessions.touchMany([
        { id: a.id, at: at(now, 120) },
        { id: b.id, at: at(now, 60) },
        { id: randomUUID(), at: at(now, 60) },
      ]);
      await stores.sessions.touchMany([{ id: a.id, at: at(now, 90) }]);
      const seen = new Map((await stores.sessions.listForUser(user.id, now)).map((s) => [s.id, s.lastSeenAt.getTime()]));
      expect(seen).toEqual(new Map([[a.id, at(now, 120).getTime()], [b.id, at(now, 60).getTime()]]));
      await stores.sessions.touchMany([]);
    });
  });

  describe('remembered devices', () => {
    it('are trusted for their user while live and not revoked', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const other = await newUser(stores);
      const now = new Date();
      const tokenHash = randomBytes(32);
      const device = { id: randomUUID(), userId: user.id, label: 'x', createdAt: now, expiresAt: at(now, 3600), lastUsedAt: null };
      await stores.challenge.accept(accept(user.id, now, { kind: 'none' }, { device: { device, tokenHash } }));
      expect((await stores.devices.use(tokenHash, user.id, now))?.lastUsedAt?.getTime()).toBe(now.getTime());
      expect(await stores.devices.use(tokenHash, other.id, now)).toBeNull();
      expect(await stores.devices.find(tokenHash, user.id, at(now, 3600))).toBeNull();
      expect(await stores.devices.revokeAllForUser(user.id, now)).toBe(1);
      expect(await stores.devices.find(tokenHash, user.id, now)).toBeNull();
    });
  });

  describe('mailed links and rate limits', () => {
    it('verify an address once, before expiry, and only while the user still has it', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const link = (tokenHash: Buffer, emailNormalized = user.emailNormalized) =>
        stores.emailVerifications.insert({ tokenHash, userId: user.id, emailNormalized, createdAt: now, expiresAt: at(now, 60) });
      const [good, stale, moved] = [randomBytes(32), randomBytes(32), randomBytes(32)];
      await link(good);
      await link(stale);
      await link(moved, 'previous@example.test');
      expect(await stores.emailVerifications.consume(stale, at(now, 60))).toBeNull();
      expect(await stores.emailVerifications.consume(moved, now)).toBeNull();
      expect((await stores.emailVerifications.consume(good, now))?.emailVerifiedAt?.getTime()).toBe(now.getTime());
      expect(await stores.emailVerifications.consume(good, now)).toBeNull();
    });

    it('set a password once with a reset link; the user\'s other links die with it', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const [first, second] = [randomBytes(32), randomBytes(32)];
      for (const tokenHash of [first, second]) await stores.passwordResets.insert({ tokenHash, userId: user.id, emailNormalized: user.emailNormalized, createdAt: now, expiresAt: at(now, 600) });
      expect(await stores.passwordResets.isLive(second, now)).toBe(true);
      expect((await stores.passwordResets.consume(first, 'new hash', now))?.passwordHash).toBe('new hash');
      expect(await stores.passwordResets.consume(first, 'again', now)).toBeNull();
      expect(await stores.passwordResets.isLive(second, now)).toBe(false);
      expect((await stores.users.findById(user.id))?.passwordHash).toBe('new hash');
    });

    it('count hits per window, start a new window after it, and refund only in the window that counted', async () => {
      const stores = await open();
      const key = `contract:${randomUUID()}`;
      const now = new Date();
      expect((await stores.rateLimits.hit(key, now, 60)).hits).toBe(1);
      const second = await stores.rateLimits.hit(key, at(now, 10), 60);
      expect(second).toEqual({ hits: 2, windowStart: now });
      await stores.rateLimits.refund(key, second.windowStart);
      expect((await stores.rateLimits.hit(key, at(now, 20), 60)).hits).toBe(2);
      const next = await stores.rateLimits.hit(key, at(now, 60), 60);
      expect(next).toEqual({ hits: 1, windowStart: at(now, 60) });
      await stores.rateLimits.refund(key, now);
      expect((await stores.rateLimits.hit(key, at(now, 61), 60)).hits).toBe(2);
    });

    it('count an answer\'s failures in its own write: past the limit a wrong answer spends nothing, a right one is refused', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const idHash = await openLogin(stores, user.id, now);
      const rate = { key: `contract:${randomUUID()}`, limit: 2, windowSeconds: 60 };
      const wrong = () => stores.challenge.reject(reject(user.id, now, { countTowardLockout: false, rate, transaction: { idHash, maxAttempts: MAX_ATTEMPTS } }));
      expect(await wrong()).toEqual({ status: 'counted', attempts: 1, lockBegan: null, codeExhausted: false, rate: { hits: 1, windowStart: now } });
      expect(await wrong()).toMatchObject({ status: 'counted', attempts: 2, rate: { hits: 2 } });
      // The third failure is counted against the address, not the transaction: its last attempt is left.
      expect(await wrong()).toEqual({ status: 'rate-limited', rate: { hits: 3, windowStart: now } });
      expect((await stores.transactions.find(idHash))?.attempts).toBe(2);
      const right = accept(user.id, now, { kind: 'none' }, { rate, transaction: tx(idHash) });
      expect(await stores.challenge.accept(right)).toEqual({ status: 'rate-limited', rate: { hits: 3, windowStart: now } });
      // A new window: the right answer goes through, and counts nothing.
      const later = at(now, 61);
      expect(await stores.challenge.accept({ ...right, now: later })).toEqual({ status: 'accepted', replacedAuthenticator: false, rate: { hits: 0, windowStart: null } });
    });
  });

  describe('passkeys (WebAuthn)', () => {
    it('are renamed by their owner only, never to a name another of the user\'s keys has (any case)', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const other = await newUser(stores);
      const key = (name: string, userId = user.id) => passkey(userId, name);
      const laptop = key('Laptop');
      const phone = key('Phone');
      const elsewhere = key('Tablet', other.id);
      for (const k of [laptop, phone, elsewhere]) await stores.webauthn.insert(k);
      expect(await stores.webauthn.rename(phone.id, user.id, 'LAPTOP')).toBe('name_taken');
      expect(await stores.webauthn.rename(phone.id, user.id, 'Tablet')).toBe('renamed');
      expect(await stores.webauthn.rename(laptop.id, user.id, 'laptop')).toBe('renamed');
      expect(await stores.webauthn.rename(elsewhere.id, user.id, 'Mine now')).toBe('not_found');
      expect((await stores.webauthn.listForUser(user.id)).map((k) => k.name).sort()).toEqual(['Tablet', 'laptop']);
    });

    it('never give two keys of one user the same name, even when the writes race (registrations, renames)', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const other = await newUser(stores);
      const key = (name: string, userId = user.id) => passkey(userId, name);
      expect(await stores.webauthn.insert(key('Work laptop'))).toBe('inserted');
      expect(await stores.webauthn.insert(key('WORK LAPTOP'))).toBe('name_taken');
      // Another user's key may have the name; the authenticator's own id still decides `duplicate` first.
      expect(await stores.webauthn.insert(key('Work laptop', other.id))).toBe('inserted');
      // Five registrations of one name at once: the database lets one through, the rest are told why.
      const raced = await Promise.all(Array.from({ length: 5 }, (_, i) => stores.webauthn.insert(key(i % 2 ? 'Blue key' : 'blue KEY'))));
      expect(raced.filter((r) => r === 'inserted')).toHaveLength(1);
      expect(raced.filter((r) => r === 'name_taken')).toHaveLength(4);
      // Two keys renamed to one free name at once: one gets it.
      const [a, b] = [key('A'), key('B')];
      for (const k of [a, b]) await stores.webauthn.insert(k);
      const renamed = await Promise.all([stores.webauthn.rename(a.id, user.id, 'Phone'), stores.webauthn.rename(b.id, user.id, 'phone')]);
      expect(renamed.sort()).toEqual(['name_taken', 'renamed']);
      const names = (await stores.webauthn.listForUser(user.id)).map((k) => k.name.toLowerCase());
      expect(new Set(names).size).toBe(names.length);
      expect(names).toHaveLength(4);
    });

    it('spend a challenge once, for its binding only, and a signature counter only forward', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const key = { id: randomUUID(), userId: user.id, credentialId: randomBytes(16).toString('base64url'), publicKey: new Uint8Array([1, 2, 3]), counter: 5, transports: ['usb'], deviceType: 'singleDevice' as const, backedUp: false, name: 'key', createdAt: now, lastUsedAt: null };
      expect(await stores.webauthn.insert(key)).toBe('inserted');
      expect(await stores.webauthn.insert({ ...key, id: randomUUID() })).toBe('duplicate');
      const boundTo = randomBytes(32);
      const binding = { purpose: 'login' as const, boundTo };
      const challenge = async () => {
        const hash = randomBytes(32);
        await stores.webauthn.saveChallenge(hash, { userId: user.id, ...binding }, now, at(now, 300));
        return hash;
      };
      const claim = (challengeHash: Buffer, previousCounter: number, newCounter: number): Claim => ({ kind: 'webauthn', challengeHash, binding, keyId: key.id, previousCounter, newCounter, backedUp: true, deviceType: 'multiDevice', userVerified: true });
      const first = await challenge();
      expect(await stores.webauthn.isChallengeLive(first, { userId: user.id, purpose: 'step-up', boundTo }, now)).toBe(false);
      expect(await stores.webauthn.isChallengeLive(first, { userId: user.id, ...binding }, now)).toBe(true);
      expect((await stores.challenge.accept(accept(user.id, now, claim(first, 5, 6)))).status).toBe('accepted');
      expect((await stores.challenge.accept(accept(user.id, now, claim(first, 6, 7)))).status).toBe('claim-taken');
      expect((await stores.challenge.accept(accept(user.id, now, claim(await challenge(), 6, 6)))).status).toBe('claim-taken');
      expect((await stores.challenge.accept(accept(user.id, now, claim(await challenge(), 5, 9)))).status).toBe('claim-taken');
      const [stored] = await stores.webauthn.listForUser(user.id);
      expect(stored).toMatchObject({ counter: 6, backedUp: true });
      expect(stored?.lastUsedAt?.getTime()).toBe(now.getTime());
      expect((await stores.challenge.factors(user.id, now))?.webauthnKeys).toBe(1);
      const expiring = await challenge();
      expect(await stores.webauthn.consumeChallenge(expiring, { userId: user.id, ...binding }, at(now, 300))).toBe(false);
      expect(await stores.webauthn.consumeChallenge(expiring, { userId: user.id, ...binding }, now)).toBe(true);
      expect(await stores.webauthn.consumeChallenge(expiring, { userId: user.id, ...binding }, now)).toBe(false);
      expect(await stores.webauthn.remove(key.id, user.id)).toBe(true);
      expect(await stores.webauthn.countForUser(user.id)).toBe(0);
    });
  });

  describe('factor changes held by the veto window (migration 0016, threat 22)', () => {
    const change = (userId: string, payload: NewFactorChange['payload'], now: Date, applyInSeconds = 60): NewFactorChange => ({
      id: randomUUID(),
      userId,
      payload,
      sessionId: null,
      requestedAt: now,
      applyAt: at(now, applyInSeconds),
      status: 'pending',
      vetoTokenHash: randomBytes(32),
      vetoUntil: at(now, 2 * applyInSeconds),
    });

    it('move a confirmed authenticator out of the credentials until due, then make it the active one with its backup codes', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const old = await activeAuthenticator(stores, user.id, now);
      const waiting = credential(user.id, 'pending', now);
      await stores.totp.insertUnconfirmed(waiting);
      const held = change(user.id, { kind: 'totp-replace', credentialId: waiting.id, backupCodeHashes: ['x', 'y', 'z'] }, now);
      expect(await stores.factorChanges.insert(held)).toBe('recorded');
      expect(await stores.totp.findById(waiting.id)).toBeNull();
      expect((await stores.challenge.factors(user.id, now))?.authenticator?.id).toBe(old.id);
      expect(await stores.factorChanges.insert({ ...change(user.id, { kind: 'totp-disable' }, now) })).toBe('duplicate');
      const another = credential(user.id, 'pending', now);
      await stores.totp.insertUnconfirmed(another);
      expect(await stores.factorChanges.insert(change(user.id, { kind: 'totp-enable', credentialId: another.id, backupCodeHashes: [] }, now))).toBe('duplicate');
      expect(await stores.totp.findById(another.id)).not.toBeNull();
      expect(await stores.factorChanges.applyDue(at(now, 59), { limit: 10, userId: user.id })).toEqual([]);
      expect(await stores.factorChanges.listPending(user.id)).toMatchObject([{ id: held.id, kind: 'totp-replace', status: 'pending' }]);
      const applied = await stores.factorChanges.applyDue(at(now, 60), { limit: 10, userId: user.id });
      expect(applied).toMatchObject([{ id: held.id, status: 'applied' }]);
      const state = await stores.challenge.factors(user.id, at(now, 60));
      expect(state?.authenticator).toMatchObject({ id: waiting.id, state: 'active', secretSealed: waiting.secretSealed });
      expect(await stores.backupCodes.countUnused(user.id)).toBe(3);
      expect(await stores.factorChanges.listPending(user.id)).toEqual([]);
    });

    it('show key rotation a waiting authenticator (its sealed secret, its backup-code hashes) until it is settled', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      await activeAuthenticator(stores, user.id, now);
      const waiting = credential(user.id, 'pending', now);
      await stores.totp.insertUnconfirmed(waiting);
      // Hashes "peppered" by a key of their own: this test's usage row is its own in the shared database.
      const pepper = `p${randomBytes(4).toString('hex')}`;
      const held = change(user.id, { kind: 'totp-replace', credentialId: waiting.id, backupCodeHashes: [`${pepper}$a`, `${pepper}$b`] }, now);
      expect(await stores.factorChanges.insert(held)).toBe('recorded');
      const listed = async () => (await stores.keyRotation.listNotUnder('no-such-key', 10_000)).filter((s) => s.kind === 'pending-totp' && s.id === waiting.id);
      expect(await listed()).toEqual([{ kind: 'pending-totp', id: waiting.id, sealed: waiting.secretSealed }]);
      expect((await stores.keyRotation.usage(now)).find((u) => u.keyId === pepper)).toEqual({ keyId: pepper, secrets: 0, backupCodes: 2, emailCodes: 0 });
      const resealed = keyRing.encrypt(keyRing.decrypt(waiting.secretSealed, `totp:${waiting.id}`), `totp:${waiting.id}`);
      expect(await stores.keyRotation.replaceSealed({ kind: 'pending-totp', id: waiting.id }, 'not the current one', resealed)).toBe(false);
      expect(await stores.keyRotation.replaceSealed({ kind: 'pending-totp', id: waiting.id }, waiting.secretSealed, resealed)).toBe(true);
      expect(await listed()).toEqual([{ kind: 'pending-totp', id: waiting.id, sealed: resealed }]);
      // Vetoed: the secret is gone with the change, and nothing of it holds a key.
      await stores.factorChanges.veto(held.vetoTokenHash, now);
      expect(await listed()).toEqual([]);
      expect((await stores.keyRotation.usage(now)).find((u) => u.keyId === pepper)).toBeUndefined();
      expect(await stores.keyRotation.replaceSealed({ kind: 'pending-totp', id: waiting.id }, resealed, waiting.secretSealed)).toBe(false);
    });

    it('refuse an authenticator that is no longer waiting', async () => {
      const stores = await open();
      const user = await newUser(stores);
      expect(await stores.factorChanges.insert(change(user.id, { kind: 'totp-enable', credentialId: randomUUID(), backupCodeHashes: [] }, new Date()))).toBe('credential-gone');
    });

    it('apply email codes and keys when due; a key registered meanwhile, or under its name, fails alone', async () => {
      const stores = await open();
      const user = await newUser(stores);
      const now = new Date();
      const key = { id: randomUUID(), userId: user.id, credentialId: randomBytes(16).toString('base64url'), publicKey: new Uint8Array([1, 2, 3]), counter: 0, transports: ['usb'], deviceType: 'singleDevice' as const, backedUp: false, name: 'held key', createdAt: now, lastUsedAt: null };
      const clash = { ...key, id: randomUUID(), name: 'clash', credentialId: randomBytes(16).toString('base64url') };
      expect(await stores.factorChanges.insert(change(user.id, { kind: 'email-enable' }, now))).toBe('recorded');
      expect(await stores.factorChanges.insert(change(user.id, { kind: 'passkey-add', key }, now, 61))).toBe('recorded');
      expect(await stores.factorChanges.insert(change(user.id, { kind: 'passkey-add', key: clash }, now, 62))).toBe('recorded');
      const namesake = { ...key, id: randomUUID(), name: 'Namesake', credentialId: randomBytes(16).toString('base64url') };
      expect(await stores.factorChanges.insert(change(user.id, { kind: 'passkey-add', key: namesake }, now, 63))).toBe('recorded');
      // The waiting keys' names are what the core checks a new name against.
      expect((await stores.factorChanges.listPending(user.id)).map((c) => c.keyName)).toEqual([null, 'held key', 'clash', 'Namesake']);
      expect(await stores.webauthn.insert({ ...clash, id: randomUUID() })).toBe('inserted');
      expect(await stores.webauthn.insert(passkey(user.id, 'NAMESAKE'))).toBe('inserted');
      const applied = await stores.factorChanges.applyDue(at(now, 100), { limit: 10, userId: user.id });
      expect(applied.map((c) => [c.kind, c.status])).toEqual([['email-enable', 'applied'], ['passkey-add', 'applied'], ['passkey-add', 'failed'], ['passkey-add', 'failed']]);
      expect((await stores.users.findById(user.id))?.emailTwoFactorEnabledAt).not.toBeNull();
      const stored = (await stores.webauthn.listForUser(user.id)).find((k) => k.id === key.id);
      expect(stored && Buffer.from(stored.publicKey)).toEqual(Buffer.from([1, 2, 3]));
      expect(await stores.factorChanges.insert(change(user.id, { kind: 'passkey-remove', keyId: key.id }, now))).toBe('recorded');
      await stores.factorChanges.applyDue(at(now, 100), { limit: 10, userId: user.id });
      expect((await stores.webauthn.listForUser(user.id)).some((k) => k.id === key.id)).toBe(false);
    });

    it("veto once, before the link's deadline: cancels the user's waiting changes and locks the account; unlock lifts it", async () => {
      const stores = await open();
      const user = await newUser(stores);
      const other = await newUser(stores);
      const now = new Date();
      const held = change(user.id, { kind: 'email-enable' }, now);
      const othersHeld = change(other.id, { kind: 'email-enable' }, now);
      await stores.factorChanges.insert(held);
      await stores.factorChanges.insert(othersHeld);
      expect(await stores.factorChanges.veto(held.vetoTokenHash, held.vetoUntil)).toBeNull();
      const vetoed = await stores.factorChanges.veto(held.vetoTokenHash, now);
      expect(vetoed).toMatchObject({ userId: user.id, vetoed: [{ id: held.id, status: 'vetoed' }] });
      expect(await stores.factorChanges.veto(held.vetoTokenHash, now)).toBeNull();
      expect((await stores.users.findById(user.id))?.lockedByOwnerAt).not.toBeNull();
      expect((await stores.users.findById(other.id))?.lockedByOwnerAt).toBeNull();
      expect(await stores.factorChanges.listPending(other.id)).toHaveLength(1);
      expect(await stores.factorChanges.applyDue(at(now, 100), { limit: 10, userId: user.id })).toEqual([]);
      expect(await stores.factorChanges.unlock(user.id, now)).toBe(true);
      expect((await stores.users.findById(user.id))?.lockedByOwnerAt).toBeNull();
      expect(await stores.factorChanges.unlock(randomUUID(), now)).toBe(false);
    });
  });
});
