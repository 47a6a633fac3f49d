// How the account page words its security events (web/src/event-lines.ts): a sign-in that answered a second
// factor writes two events at one instant, and a person reads them as one thing that happened.
import { describe, expect, it } from 'vitest';
import { eventLines, type ListedEvent } from '../../web/src/event-lines.ts';

const at = '2026-11-30T07:30:00.000Z';
const earlier = '2026-11-30T07:00:00.000Z';
const where = { ip: '192.0.2.1', client: 'rest' };
const event = (kind: string, details: Record<string, unknown> = {}, extra: Partial<ListedEvent> = {}): ListedEvent => ({ kind, details, at, ...where, ...extra });
const texts = (events: ListedEvent[]) => eventLines(events).map((l) => l.text);

describe('the account page\'s event lines', () => {
  it('say a sign-in and its second step in one line, naming what answered it, in either order', () => {
    expect(texts([event('login_succeeded', { secondFactor: true }), event('challenge_passed', { method: 'backup', operation: 'login' })])).toEqual(['Signed in with a backup code']);
    expect(texts([event('challenge_passed', { method: 'totp', operation: 'login' }), event('login_succeeded', { secondFactor: true })])).toEqual(['Signed in with an authenticator app code']);
    expect(texts([event('challenge_passed', { method: 'webauthn', operation: 'login' }), event('login_succeeded')])).toEqual(['Signed in with a passkey or security key']);
    expect(texts([event('login_succeeded'), event('challenge_passed', { method: 'email', operation: 'login' })])).toEqual(['Signed in with an email code']);
  });

  it('keep what else the same step wrote, and where and when it happened', () => {
    const lines = eventLines([
      event('device_trusted'),
      event('login_succeeded', { secondFactor: true }),
      event('challenge_passed', { method: 'totp', operation: 'login' }),
      event('login_succeeded', { secondFactor: false }, { at: earlier }),
    ]);
    expect(lines).toEqual([
      { text: 'Browser remembered: it skips the second step', at, ...where },
      { text: 'Signed in with an authenticator app code', at, ...where },
      { text: 'Signed in', at: earlier, ...where },
    ]);
  });

  it('never join events of different moments, places or operations', () => {
    // A step-up's accepted code is not a sign-in; nor is a code from another address or another instant.
    expect(texts([event('login_succeeded'), event('challenge_passed', { method: 'totp', operation: 'change-password' })])).toEqual(['Signed in', 'Authenticator app code accepted']);
    expect(texts([event('login_succeeded'), event('challenge_passed', { method: 'totp', operation: 'login' }, { ip: '198.51.100.7' })])).toEqual(['Signed in', 'Authenticator app code accepted']);
    expect(texts([event('login_succeeded'), event('challenge_passed', { method: 'totp', operation: 'login' }, { at: earlier })])).toEqual(['Signed in', 'Authenticator app code accepted']);
    expect(texts([event('login_succeeded'), event('challenge_passed', { method: 'totp', operation: 'login' }, { client: 'ddp' })])).toEqual(['Signed in', 'Authenticator app code accepted']);
  });

  it('pair each sign-in with one second step only', () => {
    const twice = [event('login_succeeded'), event('challenge_passed', { method: 'totp', operation: 'login' }), event('login_succeeded'), event('challenge_passed', { method: 'backup', operation: 'login' })];
    expect(texts(twice)).toEqual(['Signed in with an authenticator app code', 'Signed in with a backup code']);
    expect(texts([event('challenge_passed', { method: 'totp', operation: 'login' }), event('challenge_passed', { method: 'totp', operation: 'login' }), event('login_succeeded')])).toEqual([
      'Signed in with an authenticator app code',
      'Authenticator app code accepted',
    ]);
  });
});
