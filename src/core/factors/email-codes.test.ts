import { describe, expect, it } from 'vitest';
import { StillClock, T0, testKeyRing, testUser } from '../../../test/core/fixtures.ts';
import type { LiveEmailCode } from '../challenge/factors.ts';
import type { Notice } from '../notices.ts';
import type { UserRecord } from '../users/user.ts';
import { codeRecipients, EMAIL_CODE_DIGITS, mailNewEmailCode, reusable, verifyEmailCodeHash, type EmailCodeDeps } from './email-codes.ts';

const TTL_SECONDS = 600;
const MAX_ATTEMPTS = 5;

function emailCodes() {
  const sent: Notice[] = [];
  const stored: Parameters<EmailCodeDeps['emailCodes']['replace']>[0][] = [];
  const mailChecks: string[] = [];
  const clock = new StillClock();
  const deps: EmailCodeDeps = {
    emailCodes: {
      async replace(row) {
        stored.push(row);
        return { id: row.id, codeHash: row.codeHash, attempts: 0, createdAt: row.createdAt, liveSince: row.createdAt, expiresAt: row.expiresAt };
      },
    },
    keyRing: testKeyRing(),
    notifier: { send: async (notice) => void sent.push(notice) },
    clock,
    ttlSeconds: TTL_SECONDS,
    maxAttempts: MAX_ATTEMPTS,
    mailAllowed: async (user: UserRecord) => void mailChecks.push(user.id),
  };
  return { deps, sent, stored, mailChecks, clock };
}

function live(expiresInMs: number, attempts = 0): LiveEmailCode {
  return { id: 'c1', codeHash: 'k1$00', attempts, createdAt: T0, liveSince: T0, expiresAt: new Date(T0.getTime() + expiresInMs) };
}

describe('mailNewEmailCode', () => {
  it('mails a fresh six-digit code that lives ttlSeconds, and stores only its peppered hash', async () => {
    const { deps, sent, stored } = emailCodes();
    const user = testUser();
    const { to, code } = await mailNewEmailCode(deps, user);
    expect(to).toEqual([user.email]);
    expect(sent).toHaveLength(1);
    const notice = sent[0] as Extract<Notice, { kind: 'email-code' }>;
    expect(notice).toMatchObject({ kind: 'email-code', to: [user.email], expiresAt: new Date(T0.getTime() + TTL_SECONDS * 1000) });
    expect(notice.code).toMatch(new RegExp(`^[0-9]{${EMAIL_CODE_DIGITS}}$`));
    expect(stored).toEqual([{ id: expect.any(String), userId: user.id, codeHash: expect.stringMatching(/^k1\$[0-9a-f]{64}$/), createdAt: T0, expiresAt: notice.expiresAt }]);
    expect(stored[0]!.codeHash).not.toContain(notice.code);
    expect(verifyEmailCodeHash(deps.keyRing, user.id, notice.code, stored[0]!.codeHash)).toBe(true);
    expect(code).toMatchObject({ id: stored[0]!.id, expiresAt: notice.expiresAt });
  });

  it('asks the email-bombing cap before mailing, and mails nothing when it refuses', async () => {
    const { deps, sent, stored, mailChecks } = emailCodes();
    const user = testUser();
    await mailNewEmailCode(deps, user);
    expect(mailChecks).toEqual([user.id]);
    deps.mailAllowed = async () => {
      throw new Error('rate_limited');
    };
    await expect(mailNewEmailCode(deps, user)).rejects.toThrow('rate_limited');
    expect(sent).toHaveLength(1);
    expect(stored).toHaveLength(1);
  });

  it('keeps the previous code when the mail could not be handed over (the row is written after the mail)', async () => {
    const { deps, stored } = emailCodes();
    deps.notifier = {
      send: async () => {
        throw new Error('mail_delivery_failed');
      },
    };
    await expect(mailNewEmailCode(deps, testUser())).rejects.toThrow('mail_delivery_failed');
    expect(stored).toEqual([]);
  });

  it('mails nothing to an address that is not verified: it cannot carry codes', async () => {
    const { deps, sent, stored, mailChecks } = emailCodes();
    expect(await mailNewEmailCode(deps, testUser({ emailVerifiedAt: null }))).toEqual({ to: [], code: null });
    expect([sent, stored, mailChecks]).toEqual([[], [], []]);
  });
});

describe('codeRecipients', () => {
  it('is the verified address, or nobody', () => {
    const user = testUser();
    expect(codeRecipients(user)).toEqual([user.email]);
    expect(codeRecipients({ ...user, emailVerifiedAt: null })).toEqual([]);
  });
});

describe('email code hashes', () => {
  it('are peppered per user: the same code of two users hashes differently, and one never verifies as the other', async () => {
    const { deps, sent, stored } = emailCodes();
    const alice = testUser();
    const bob = testUser();
    await mailNewEmailCode(deps, alice);
    const code = (sent[0] as Extract<Notice, { kind: 'email-code' }>).code;
    expect(deps.keyRing.hashCode(code, `email-code:${alice.id}`)).toBe(stored[0]!.codeHash);
    expect(verifyEmailCodeHash(deps.keyRing, bob.id, code, stored[0]!.codeHash)).toBe(false);
    expect(verifyEmailCodeHash(deps.keyRing, alice.id, code, stored[0]!.codeHash)).toBe(true);
    const other = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(verifyEmailCodeHash(deps.keyRing, alice.id, other, stored[0]!.codeHash)).toBe(false);
  });
});

describe('reusable: a live code is sent again only while it is worth it', () => {
  const deps = { clock: new StillClock(), ttlSeconds: TTL_SECONDS, maxAttempts: MAX_ATTEMPTS };

  it('reuses a code with exactly half its life left, and not a millisecond less', () => {
    expect(reusable(deps, live((TTL_SECONDS * 1000) / 2))).toBe(true);
    expect(reusable(deps, live((TTL_SECONDS * 1000) / 2 - 1))).toBe(false);
    expect(reusable(deps, live(TTL_SECONDS * 1000))).toBe(true);
  });

  it('follows the clock: the same code stops being reusable as time passes', () => {
    const clock = new StillClock();
    const code = live(TTL_SECONDS * 1000);
    expect(reusable({ ...deps, clock }, code)).toBe(true);
    clock.advance((TTL_SECONDS * 1000) / 2 + 1);
    expect(reusable({ ...deps, clock }, code)).toBe(false);
  });

  it('never reuses a code whose tries are used up (a new one is mailed instead)', () => {
    expect(reusable(deps, live(TTL_SECONDS * 1000, MAX_ATTEMPTS - 1))).toBe(true);
    expect(reusable(deps, live(TTL_SECONDS * 1000, MAX_ATTEMPTS))).toBe(false);
    expect(reusable(deps, live(TTL_SECONDS * 1000, MAX_ATTEMPTS + 1))).toBe(false);
  });

  it('has nothing to reuse without a live code', () => {
    expect(reusable(deps, null)).toBe(false);
  });
});
