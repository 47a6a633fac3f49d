/**
 * The veto window on factor changes (security.md threat 22), as the whole core holds it over memory stores with a
 * test clock: a stolen session that swaps or removes the authenticator gets nothing until the window is over, and the
 * owner's mailed link cancels the change, ends every session and locks the account for an operator.
 */
import { describe, expect, it } from 'vitest';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import { generateTOTP } from '../../src/core/otp/totp.ts';
import { TwofoldError } from '../../src/core/errors.ts';
import { defaultCorePolicy } from '../../src/core/index.ts';
import { memoryCore, memoryUserWithAuthenticator } from '../helpers/memory-core.ts';
import { SoftAuthenticator } from '../helpers/webauthn-authenticator.ts';

const DAY_MS = 24 * 3600 * 1000;
const context = { client: 'rest' as const, ip: '192.0.2.9', userAgent: 'veto test' };
const window = { policy: { factorChangeVetoSeconds: 24 * 3600 } };
const tokenOf = (link: string) => decodeURIComponent(new URL(link).searchParams.get('token')!);

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TwofoldError) return error.code;
    throw error;
  }
  return 'no error';
}

/** A user with an authenticator, signed in with it a moment ago (the proof a factor change needs). */
async function protectedUser(label: string, options: Parameters<typeof memoryUserWithAuthenticator>[2] = window) {
  const m = await memoryUserWithAuthenticator(label, 'correct horse battery', options);
  m.clock.advance(31_000);
  const started = await m.core.auth.signIn({ identity: m.email, password: 'correct horse battery' }, context);
  if (started.kind !== 'second_factor') throw new Error('a user with a factor is asked for it');
  const signedIn = await m.core.auth.completeSecondFactor({ transactionId: started.transactionId, proof: { kind: 'code', code: m.code() }, rememberDevice: false }, context);
  const session = signedIn.issued.session;
  const asker = { session, context, proof: { kind: 'recent' as const, sessionId: session.id } };
  return { ...m, session, token: signedIn.issued.token, asker };
}

describe('veto window on factor changes (threat 22)', () => {
  it('holds a removal of the authenticator until the window is over, and mails the owner at once', async () => {
    const m = await protectedUser('hold');
    const outcome = await m.core.factors.totp.disable(m.user.id, m.asker);
    expect(outcome.pendingUntil).toEqual(new Date(m.clock.now().getTime() + DAY_MS));
    expect((await m.core.factors.totp.status(m.user.id)).enabled).toBe(true);
    const mail = m.notices.last('factor-change-requested', m.email);
    expect(mail).toMatchObject({ factor: 'totp', change: 'disabled', applyAt: outcome.pendingUntil });
    expect(await m.core.factorChanges.pending(m.user.id)).toMatchObject([{ kind: 'totp-disable', status: 'pending' }]);

    m.clock.advance(DAY_MS - 1000);
    expect(await m.core.factorChanges.applyDue()).toBe(0);
    m.clock.advance(1000);
    expect(await m.core.factorChanges.applyDue()).toBe(1);
    expect((await m.core.factors.totp.status(m.user.id)).enabled).toBe(false);
    expect(await m.core.factorChanges.pending(m.user.id)).toEqual([]);
    expect(m.notices.last('factor-disabled', m.email).factor).toBe('totp');
    const kinds = (await m.core.users.events(m.user.id, { limit: 20 })).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['factor_change_requested', 'factor_change_applied', 'factor_disabled']));
  });

  it('keeps the old authenticator working while a replacement waits, then swaps them (due changes apply on read)', async () => {
    const m = await protectedUser('replace');
    const enrolment = await m.core.factors.totp.enrol(m.user.id, m.asker);
    const newCode = () => generateTOTP(decodeBase32(enrolment.secret), m.clock.now().getTime());
    const confirmed = await m.core.factors.totp.confirm(m.user.id, { kind: 'code', code: newCode() }, m.asker);
    expect(confirmed.pendingUntil).toBeInstanceOf(Date);
    expect(confirmed.backupCodes).toHaveLength(12);
    expect(m.notices.last('factor-change-requested', m.email).change).toBe('replaced');
    // The thief's authenticator proves nothing yet; the owner's still does.
    m.clock.advance(31_000);
    const started = await m.core.auth.signIn({ identity: m.email, password: 'correct horse battery' }, context);
    if (started.kind !== 'second_factor') throw new Error('asked for the factor');
    expect(await errorCode(m.core.auth.completeSecondFactor({ transactionId: started.transactionId, proof: { kind: 'code', code: newCode() }, rememberDevice: false }, context))).toBe('code_invalid');
    await m.core.auth.completeSecondFactor({ transactionId: started.transactionId, proof: { kind: 'code', code: m.code() }, rememberDevice: false }, context);

    m.clock.advance(DAY_MS);
    // No worker ran: reading the status applies the user's due change first.
    expect((await m.core.factors.totp.status(m.user.id)).backupCodesRemaining).toBe(12);
    m.clock.advance(31_000);
    const again = await m.core.auth.signIn({ identity: m.email, password: 'correct horse battery' }, context);
    if (again.kind !== 'second_factor') throw new Error('asked for the factor');
    expect(await errorCode(m.core.auth.completeSecondFactor({ transactionId: again.transactionId, proof: { kind: 'code', code: m.code() }, rememberDevice: false }, context))).toBe('code_invalid');
    const replaced = await m.core.auth.completeSecondFactor({ transactionId: again.transactionId, proof: { kind: 'code', code: newCode() }, rememberDevice: false }, context);
    expect(replaced.user.id).toBe(m.user.id);
  });

  it("applies a user's first factor at once, and its mail still carries a veto link", async () => {
    const m = memoryCore(window);
    const email = 'first@example.test';
    const { user } = await m.core.auth.register({ email, password: 'correct horse battery' });
    const first = await m.core.auth.signIn({ identity: email, password: 'correct horse battery' }, context);
    if (first.kind !== 'session') throw new Error('no factor yet');
    const asker = { session: first.issued.session, context, proof: { kind: 'recent' as const, sessionId: first.issued.session.id } };
    const enrolment = await m.core.factors.totp.enrol(user.id, asker);
    const confirmed = await m.core.factors.totp.confirm(user.id, { kind: 'code', code: generateTOTP(decodeBase32(enrolment.secret), m.clock.now().getTime()) }, asker);
    expect(confirmed.pendingUntil).toBeUndefined();
    expect((await m.core.factors.totp.status(user.id)).enabled).toBe(true);
    const mail = m.notices.last('factor-enabled', email);
    expect(mail.veto?.until).toEqual(new Date(m.clock.now().getTime() + DAY_MS));
    // The link locks the account (the factor stays: an operator resets it).
    await m.core.factorChanges.veto(tokenOf(mail.veto!.link), context);
    expect(await errorCode(m.core.auth.signIn({ identity: email, password: 'correct horse battery' }, context))).toBe('account_locked_by_owner');
  });

  it('the veto cancels every waiting change, ends every session and locks the account until an operator unlocks it', async () => {
    const m = await protectedUser('veto');
    await m.core.factors.totp.disable(m.user.id, m.asker);
    const link = m.notices.last('factor-change-requested', m.email).vetoLink;
    await m.core.factorChanges.veto(tokenOf(link), context);

    expect(await m.core.factorChanges.pending(m.user.id)).toEqual([]);
    expect(await errorCode(m.core.auth.authenticate(m.token))).not.toBe('no error');
    expect(await m.core.sessions.list(m.user.id)).toEqual([]);
    expect(await errorCode(m.core.auth.signIn({ identity: m.email, password: 'correct horse battery' }, context))).toBe('account_locked_by_owner');
    m.clock.advance(2 * DAY_MS);
    expect(await m.core.factorChanges.applyDue()).toBe(0);
    expect((await m.core.factors.totp.status(m.user.id)).enabled).toBe(true);
    const kinds = (await m.core.users.events(m.user.id, { limit: 30 })).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['factor_change_vetoed', 'account_locked_by_owner', 'sessions_revoked']));

    await m.core.admin.unlock(m.user.id);
    const after = await m.core.auth.signIn({ identity: m.email, password: 'correct horse battery' }, context);
    expect(after.kind).toBe('second_factor');
  });

  it('a veto token works once, and only for its own user', async () => {
    const a = await protectedUser('owner-a');
    const b = await protectedUser('owner-b', { ...window, tables: a.tables, clock: a.clock, notices: a.notices });
    await a.core.factors.totp.disable(a.user.id, a.asker);
    await b.core.factors.totp.disable(b.user.id, b.asker);
    const aToken = tokenOf(a.notices.last('factor-change-requested', a.email).vetoLink);
    await a.core.factorChanges.veto(aToken, context);
    expect(await errorCode(a.core.factorChanges.veto(aToken, context))).toBe('veto_token_invalid');
    expect(await errorCode(a.core.factorChanges.veto('not-a-token', context))).toBe('veto_token_invalid');
    // B's change still waits and B can still sign in: A's link did nothing to B.
    expect(await b.core.factorChanges.pending(b.user.id)).toMatchObject([{ kind: 'totp-disable', status: 'pending' }]);
    expect((await b.core.auth.authenticate(b.token)).user.id).toBe(b.user.id);
  });

  it('an expired veto link is refused', async () => {
    const m = await protectedUser('expired');
    await m.core.factors.totp.disable(m.user.id, m.asker);
    const token = tokenOf(m.notices.last('factor-change-requested', m.email).vetoLink);
    m.clock.advance(2 * DAY_MS);
    expect(await errorCode(m.core.factorChanges.veto(token, context))).toBe('veto_token_invalid');
  });

  it('holds a new passkey and the removal of one: neither the key nor its removal counts before the window is over', async () => {
    const m = await protectedUser('passkey');
    const device = new SoftAuthenticator({ origin: defaultCorePolicy.webauthn.origins[0]!, rpId: defaultCorePolicy.webauthn.id });
    const options = await m.core.factors.webauthn.registrationOptions(m.user.id, m.asker);
    const added = await m.core.factors.webauthn.register(m.user.id, 'thief key', device.register(options), context, m.session.id);
    expect(added.pendingUntil).toEqual(new Date(m.clock.now().getTime() + DAY_MS));
    expect(await m.core.factors.webauthn.list(m.user.id), 'a waiting key is not a key yet').toEqual([]);
    expect(m.notices.last('factor-change-requested', m.email)).toMatchObject({ factor: 'webauthn', change: 'enabled', applyAt: added.pendingUntil });
    expect(await m.core.factorChanges.pending(m.user.id)).toMatchObject([{ kind: 'passkey-add', status: 'pending' }]);

    m.clock.advance(DAY_MS);
    expect(await m.core.factorChanges.applyDue()).toBe(1);
    const [key] = await m.core.factors.webauthn.list(m.user.id);
    expect(key).toMatchObject({ id: added.id, name: 'thief key' });

    m.clock.advance(31_000);
    const removal = await m.core.factors.webauthn.remove(m.user.id, key!.id, { ...m.asker, proof: { kind: 'code', code: m.code() } });
    expect(removal.pendingUntil).toEqual(new Date(m.clock.now().getTime() + DAY_MS));
    expect(await m.core.factors.webauthn.list(m.user.id), 'the key works until the window is over').toHaveLength(1);
    expect(m.notices.last('factor-change-requested', m.email)).toMatchObject({ factor: 'webauthn', change: 'disabled' });
    expect(await m.core.factorChanges.pending(m.user.id)).toMatchObject([{ kind: 'passkey-remove', status: 'pending' }]);
    m.clock.advance(DAY_MS);
    // No worker ran: listing the keys applies the user's due removal first.
    expect(await m.core.factors.webauthn.list(m.user.id)).toEqual([]);
    expect(m.notices.last('factor-disabled', m.email).factor).toBe('webauthn');
  });

  it('a name a waiting key holds is taken: not given to another key now, which would fail when it falls due', async () => {
    const m = await protectedUser('passkey-names');
    const device = () => new SoftAuthenticator({ origin: defaultCorePolicy.webauthn.origins[0]!, rpId: defaultCorePolicy.webauthn.id });
    const register = async (name: string, asker: Parameters<typeof m.core.factors.webauthn.registrationOptions>[1] = m.asker) => {
      const authenticator = device();
      const options = await m.core.factors.webauthn.registrationOptions(m.user.id, asker);
      return m.core.factors.webauthn.register(m.user.id, name, authenticator.register(options), context, m.session.id);
    };
    await register('Work key');
    expect(await errorCode(register(' work KEY '))).toBe('webauthn_name_taken');
    await register('Phone');
    expect((await m.core.factorChanges.pending(m.user.id)).map((c) => c.kind)).toEqual(['passkey-add', 'passkey-add']);

    m.clock.advance(DAY_MS);
    expect(await m.core.factorChanges.applyDue()).toBe(2);
    const phone = (await m.core.factors.webauthn.list(m.user.id)).find((k) => k.name === 'Phone')!;
    m.clock.advance(31_000);
    await register('Tablet', { ...m.asker, proof: { kind: 'code', code: m.code() } });
    expect(await errorCode(m.core.factors.webauthn.rename(m.user.id, phone.id, 'TABLET'))).toBe('webauthn_name_taken');
    expect(await m.core.factors.webauthn.rename(m.user.id, phone.id, 'Old phone')).toMatchObject({ name: 'Old phone' });
  });

  it('a vetoed passkey is never stored', async () => {
    const m = await protectedUser('passkey-veto');
    const device = new SoftAuthenticator({ origin: defaultCorePolicy.webauthn.origins[0]!, rpId: defaultCorePolicy.webauthn.id });
    const options = await m.core.factors.webauthn.registrationOptions(m.user.id, m.asker);
    await m.core.factors.webauthn.register(m.user.id, 'thief key', device.register(options), context, m.session.id);
    await m.core.factorChanges.veto(tokenOf(m.notices.last('factor-change-requested', m.email).vetoLink), context);
    m.clock.advance(2 * DAY_MS);
    expect(await m.core.factorChanges.applyDue()).toBe(0);
    await m.core.admin.unlock(m.user.id);
    expect(await m.core.factors.webauthn.list(m.user.id)).toEqual([]);
  });

  it('one waiting change per factor: a second one is factor_change_pending', async () => {
    const m = await protectedUser('twice');
    await m.core.factors.totp.disable(m.user.id, m.asker);
    expect(await errorCode(m.core.factors.totp.disable(m.user.id, m.asker))).toBe('factor_change_pending');
  });

  it('holds turning email codes on and off for a protected user', async () => {
    const m = await protectedUser('email');
    const now = m.clock.now();
    await m.stores.users.setEmailVerified(m.user.id, now, now);
    const on = await m.core.factors.email.enable(m.user.id, m.asker);
    expect(on.pendingUntil).toBeInstanceOf(Date);
    expect((await m.core.users.get(m.user.id)).emailTwoFactorEnabledAt).toBeNull();
    m.clock.advance(DAY_MS);
    await m.core.factorChanges.applyDue();
    expect((await m.core.users.get(m.user.id)).emailTwoFactorEnabledAt).not.toBeNull();
    const off = await m.core.factors.email.disable(m.user.id, { ...m.asker, proof: { kind: 'code', code: m.code() } });
    expect(off.pendingUntil).toBeInstanceOf(Date);
    expect(m.notices.last('factor-change-requested', m.email)).toMatchObject({ factor: 'email', change: 'disabled' });
  });

  it('a sign-in applies a change that fell due before it decides what to ask (no worker ran, nothing was read)', async () => {
    const m = await protectedUser('due-at-sign-in');
    const now = m.clock.now();
    await m.stores.users.setEmailVerified(m.user.id, now, now);
    await m.core.factors.email.enable(m.user.id, m.asker);
    m.clock.advance(DAY_MS);
    // The sign-in read the user's factors along with the password check, before the change was applied.
    const started = await m.core.auth.signIn({ identity: m.email, password: 'correct horse battery' }, context);
    if (started.kind !== 'second_factor') throw new Error('asked for the factor');
    expect(started.methods).toContain('email');
  });

  it('with the window at 0 (the default) every change applies at once and nothing is recorded', async () => {
    const m = await protectedUser('off', {});
    const outcome = await m.core.factors.totp.disable(m.user.id, m.asker);
    expect(outcome.pendingUntil).toBeNull();
    expect((await m.core.factors.totp.status(m.user.id)).enabled).toBe(false);
    expect(m.tables.factorChanges.size).toBe(0);
    expect(m.notices.sent.some((n) => n.kind === 'factor-change-requested')).toBe(false);
    expect(m.notices.last('factor-enabled', m.email).veto).toBeUndefined();
  });
});
