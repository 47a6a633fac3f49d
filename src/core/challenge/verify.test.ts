import { describe, expect, it } from 'vitest';
import { ChallengeMemory } from '../../../test/core/challenge-harness.ts';
import { PASSWORD, PASSWORD_HASH, RFC_KEY, StillClock, T0, testKeyRing, testUser, totpCredential } from '../../../test/core/fixtures.ts';
import { backupCodeLookup } from '../factors/backup-codes.ts';
import { generateTOTP, totpStep } from '../otp/totp.ts';
import { passwordDigest } from '../password.ts';
import type { LoginTransaction } from '../transactions/store.ts';
import type { LiveEmailCode } from './factors.ts';
import { SoftAuthenticator } from '../../../test/helpers/webauthn-authenticator.ts';
import { hashToken } from '../crypto/hash.ts';
import { TwofoldError } from '../errors.ts';
import type { WebAuthnStore } from '../factors/webauthn/store.ts';
import { verifyAuthenticator, verifyBackupCode, verifyEmailCode, verifyPassword, verifyWebAuthn } from './verify.ts';

/** One verifier per factor: each says ok (with what the answer spends), invalid, replayed or exhausted. */
const keyRing = testKeyRing();
const clock = new StillClock();
const user = testUser();
const step = totpStep(T0.getTime(), 30);
const codeAt = (offsetSteps: number) => generateTOTP(RFC_KEY, T0.getTime() + offsetSteps * 30_000);

describe('verifyAuthenticator', () => {
  it('accepts a code of the current step or one step either side (RFC 6238 5.2), spending that step', () => {
    const credential = totpCredential(keyRing, user.id);
    for (const offset of [-1, 0, 1]) {
      expect(verifyAuthenticator({ keyRing, clock }, [credential], codeAt(offset))).toEqual({
        result: 'ok',
        factor: 'totp',
        claim: { kind: 'totp-step', credentialId: credential.id, step: step + offset },
        credential,
      });
    }
    expect(verifyAuthenticator({ keyRing, clock }, [credential], codeAt(2))).toEqual({ result: 'invalid', factor: 'totp' });
    expect(verifyAuthenticator({ keyRing, clock }, [credential], codeAt(-2))).toEqual({ result: 'invalid', factor: 'totp' });
  });

  it('calls a code of a step at or before the last used one a replay, not a guess', () => {
    const used = totpCredential(keyRing, user.id, { lastUsedStep: step });
    expect(verifyAuthenticator({ keyRing, clock }, [used], codeAt(0))).toEqual({ result: 'replayed', factor: 'totp' });
    expect(verifyAuthenticator({ keyRing, clock }, [used], codeAt(-1))).toEqual({ result: 'replayed', factor: 'totp' });
    expect(verifyAuthenticator({ keyRing, clock }, [used], codeAt(1))).toMatchObject({ result: 'ok', claim: { step: step + 1 } });
  });

  it('tries each credential (the active one and an armed replacement): a replay on one does not hide a fresh code on the other', () => {
    const other = new Uint8Array(20).fill(3);
    const active = totpCredential(keyRing, user.id, { key: other });
    const armed = totpCredential(keyRing, user.id, { state: 'armed' });
    expect(verifyAuthenticator({ keyRing, clock }, [active, armed], codeAt(0))).toMatchObject({ result: 'ok', credential: armed });
    const replayedActive = totpCredential(keyRing, user.id, { lastUsedStep: step + 1 });
    expect(verifyAuthenticator({ keyRing, clock }, [replayedActive, armed], codeAt(0))).toMatchObject({ result: 'ok', credential: armed });
  });

  it('never matches a code with a leading zero added or a digit dropped', () => {
    const credential = totpCredential(keyRing, user.id);
    const code = codeAt(0);
    expect(verifyAuthenticator({ keyRing, clock }, [credential], `0${code}`).result).toBe('invalid');
    expect(verifyAuthenticator({ keyRing, clock }, [credential], code.slice(1)).result).toBe('invalid');
  });
});

describe('verifyBackupCode', () => {
  function withCode(usedAt: Date | null) {
    const store = new ChallengeMemory();
    store.backupCodes.push({ userId: user.id, hash: backupCodeLookup(keyRing, user.id, 'WXYZ2345')[0]!, id: 'b1', usedAt });
    return { keyRing, store };
  }

  it("finds the user's code in any case and claims it", async () => {
    expect(await verifyBackupCode(withCode(null), user, 'wxyz2345')).toEqual({ result: 'ok', factor: 'backup', claim: { kind: 'backup-code', id: 'b1' } });
  });

  it('calls a used code a replay', async () => {
    expect(await verifyBackupCode(withCode(T0), user, 'WXYZ2345')).toEqual({ result: 'replayed', factor: 'backup' });
  });

  it("does not find another user's code, nor a code that is not in backup-code shape", async () => {
    expect(await verifyBackupCode(withCode(null), testUser(), 'WXYZ2345')).toEqual({ result: 'invalid', factor: 'backup' });
    expect(await verifyBackupCode(withCode(null), user, 'WXYZ234')).toEqual({ result: 'invalid', factor: 'backup' });
  });
});

describe('verifyEmailCode', () => {
  const deps = { keyRing, emailCodeMaxAttempts: 5 };
  const live = (overrides: Partial<LiveEmailCode> = {}): LiveEmailCode => ({
    id: 'e1',
    codeHash: keyRing.hashCode('123456', `email-code:${user.id}`),
    attempts: 0,
    createdAt: T0,
    liveSince: T0,
    expiresAt: new Date(T0.getTime() + 600_000),
    ...overrides,
  });
  const transaction = (createdAt: Date, expiresAt: Date): LoginTransaction => ({
    userId: user.id,
    purpose: 'login',
    credentialId: null,
    attempts: 0,
    createdAt,
    expiresAt,
    consumedAt: null,
    burnedAt: null,
    answerHash: null,
  });

  it("accepts the user's live code, claiming it with its tries", () => {
    expect(verifyEmailCode(deps, user, live(), '123456')).toEqual({ result: 'ok', factor: 'email', claim: { kind: 'email-code', id: 'e1', maxAttempts: 5 } });
  });

  it('takes a try of the live code for a wrong guess', () => {
    expect(verifyEmailCode(deps, user, live(), '654321')).toEqual({ result: 'invalid', factor: 'email', emailCode: { id: 'e1', maxAttempts: 5 } });
  });

  it('compares nothing once the code has no try left, and has nothing to compare without a live code', () => {
    expect(verifyEmailCode(deps, user, live({ attempts: 5 }), '123456')).toEqual({ result: 'exhausted', factor: 'email' });
    expect(verifyEmailCode(deps, user, live({ attempts: 4 }), '123456').result).toBe('ok');
    expect(verifyEmailCode(deps, user, null, '123456')).toEqual({ result: 'invalid', factor: 'email' });
  });

  it("does not accept another user's code", () => {
    expect(verifyEmailCode(deps, testUser(), live(), '123456').result).toBe('invalid');
  });

  it('completes a sign-in only with a code that was alive together with its transaction', () => {
    const code = live({ liveSince: T0, expiresAt: new Date(T0.getTime() + 600_000) });
    const at = (ms: number) => new Date(T0.getTime() + ms);
    // Began while the transaction was alive, and the transaction began before the code expires.
    expect(verifyEmailCode(deps, user, code, '123456', transaction(at(-60_000), at(1))).result).toBe('ok');
    expect(verifyEmailCode(deps, user, code, '123456', transaction(at(599_999), at(900_000))).result).toBe('ok');
    // A code whose run began only after the transaction had expired.
    expect(verifyEmailCode(deps, user, code, '123456', transaction(at(-600_000), at(0))).result).toBe('invalid');
    // A transaction opened after the code expired.
    expect(verifyEmailCode(deps, user, code, '123456', transaction(at(600_000), at(900_000))).result).toBe('invalid');
  });
});

describe('verifyPassword', () => {
  it('checks the digest against the stored argon2id hash', async () => {
    const withPassword = { ...user, passwordHash: PASSWORD_HASH };
    expect(await verifyPassword(withPassword, passwordDigest(PASSWORD))).toEqual({ result: 'ok', factor: 'password', claim: { kind: 'none' } });
    expect(await verifyPassword(withPassword, passwordDigest('wrong password'))).toEqual({ result: 'invalid', factor: 'password' });
  });
});

describe('verifyWebAuthn', () => {
  const rp = { id: 'localhost', name: 'twofold', origins: ['http://localhost:8080'], challengeTtlSeconds: 300 };
  const binding = { purpose: 'login' as const, boundTo: null };
  const key = { id: 'k1', userId: user.id, credentialId: 'cred', publicKey: new Uint8Array(8), counter: 0, transports: [], deviceType: 'singleDevice' as const, backedUp: false, name: 'key', createdAt: T0, lastUsedAt: null };
  const webauthn = (found: typeof key | null) => ({ findByCredentialId: async () => found, isChallengeLive: async () => true }) as never;

  it("refuses no assertion, an unknown key, another user's key and an assertion the library rejects", async () => {
    expect(await verifyWebAuthn({ webauthn: webauthn(key), rp, clock }, user, null, binding)).toEqual({ result: 'invalid', factor: 'webauthn' });
    expect(await verifyWebAuthn({ webauthn: webauthn(null), rp, clock }, user, { id: 'cred' }, binding)).toEqual({ result: 'invalid', factor: 'webauthn' });
    expect(await verifyWebAuthn({ webauthn: webauthn({ ...key, userId: 'someone else' }), rp, clock }, user, { id: 'cred' }, binding)).toEqual({ result: 'invalid', factor: 'webauthn' });
    expect(await verifyWebAuthn({ webauthn: webauthn(key), rp, clock }, user, { id: 'cred', response: {} }, binding)).toEqual({ result: 'invalid', factor: 'webauthn' });
  });
});

describe('verifyWebAuthn with a real assertion (a software authenticator signing with P-256)', () => {
  const rp = { id: 'localhost', name: 'twofold', origins: ['http://localhost:8080'], challengeTtlSeconds: 300 };
  const binding = { purpose: 'login' as const, boundTo: Buffer.from('a transaction') };
  const challenge = 'Y2hhbGxlbmdlLWZvci10aGlzLWxvZ2lu';

  function enrolled(options: { deviceType?: 'singleDevice' | 'multiDevice' } = {}) {
    const soft = new SoftAuthenticator({ origin: 'http://localhost:8080', rpId: 'localhost' });
    const registration = soft.register({
      challenge: 'cmVnaXN0ZXI',
      rp: { id: 'localhost', name: 'twofold' },
      user: { id: 'dXNlcg', name: user.email, displayName: user.email },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    const key = {
      id: 'key-1',
      userId: user.id,
      credentialId: registration.id,
      publicKey: soft.cosePublicKeyOf(registration.id),
      counter: 3,
      transports: [],
      deviceType: options.deviceType ?? ('singleDevice' as const),
      backedUp: false,
      name: 'key',
      createdAt: T0,
      lastUsedAt: null,
    };
    const asked: { challengeHash: Buffer; binding: unknown; at: Date }[] = [];
    let live = true;
    const webauthn = {
      findByCredentialId: async (id: string) => (id === key.credentialId ? key : null),
      isChallengeLive: async (challengeHash: Buffer, asking: unknown, at: Date) => {
        asked.push({ challengeHash, binding: asking, at });
        return live;
      },
    } as never as WebAuthnStore;
    const assertion = (override: Parameters<SoftAuthenticator['authenticate']>[1] = {}) =>
      soft.authenticate({ challenge, rpId: 'localhost', allowCredentials: [] }, { counter: 7, ...override });
    return { soft, key, webauthn, asked, assertion, goStale: () => (live = false) };
  }

  it('accepts a signed assertion for a live challenge bound to what asks, claiming the challenge and the counter move', async () => {
    const { key, webauthn, asked, assertion } = enrolled();
    const verdict = await verifyWebAuthn({ webauthn, rp, clock }, user, assertion() as never, binding);
    expect(verdict).toEqual({
      result: 'ok',
      factor: 'webauthn',
      claim: {
        kind: 'webauthn',
        challengeHash: hashToken(challenge),
        binding,
        keyId: key.id,
        previousCounter: 3,
        newCounter: 7,
        backedUp: false,
        deviceType: 'singleDevice',
        userVerified: true,
      },
    });
    // The challenge must have been issued for this user and this binding (a login's transaction, a session).
    expect(asked).toEqual([{ challengeHash: hashToken(challenge), binding: { ...binding, userId: user.id }, at: T0 }]);
  });

  it('accepts a key touched without user verification (the password was the first factor), and says so in the claim', async () => {
    const { webauthn, assertion } = enrolled();
    const verdict = await verifyWebAuthn({ webauthn, rp, clock }, user, assertion({ userVerified: false }) as never, binding);
    expect(verdict).toMatchObject({ result: 'ok', claim: { userVerified: false } });
  });

  it('refuses an assertion for a challenge that is not live for this binding, a broken signature, and a key of another user', async () => {
    const stale = enrolled();
    stale.goStale();
    expect(await verifyWebAuthn({ webauthn: stale.webauthn, rp, clock }, user, stale.assertion() as never, binding)).toEqual({ result: 'invalid', factor: 'webauthn' });
    const tampered = enrolled();
    expect(await verifyWebAuthn({ webauthn: tampered.webauthn, rp, clock }, user, tampered.assertion({ tamper: true }) as never, binding)).toEqual({ result: 'invalid', factor: 'webauthn' });
    const other = enrolled();
    const someoneElse = testUser();
    expect(await verifyWebAuthn({ webauthn: other.webauthn, rp, clock }, someoneElse, other.assertion() as never, binding)).toEqual({ result: 'invalid', factor: 'webauthn' });
    expect(other.asked).toEqual([]);
  });

  it('lets a database outage while looking up the challenge through (a 503, not a wrong answer)', async () => {
    const { key, assertion } = enrolled();
    const outage = new TwofoldError('database_unavailable');
    const webauthn = { findByCredentialId: async () => key, isChallengeLive: async () => Promise.reject(outage) } as never as WebAuthnStore;
    await expect(verifyWebAuthn({ webauthn, rp, clock }, user, assertion() as never, binding)).rejects.toBe(outage);
  });
});

describe('verifyAuthenticator at the first time step', () => {
  it('accepts the code of step 0 (Unix time 0) from a credential never used: "never used" is not "used at step 0"', () => {
    const credential = totpCredential(keyRing, user.id);
    const atEpoch = new StillClock();
    atEpoch.set(new Date(0));
    expect(verifyAuthenticator({ keyRing, clock: atEpoch }, [credential], generateTOTP(RFC_KEY, 0))).toMatchObject({ result: 'ok', claim: { step: 0 } });
  });
});
