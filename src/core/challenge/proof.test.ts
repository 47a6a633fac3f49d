import { describe, expect, it } from 'vitest';
import { isTwofoldError, type ErrorCode } from '../errors.ts';
import { passwordDigest } from '../password.ts';
import { backupShape, parseProof, type ParseOptions, type RawProof } from './proof.ts';

/**
 * `parseProof` is where every offered proof enters the core. It reads codes as people type them, and refuses
 * anything no factor could have produced as a typed error (a typing slip is never a counted guess, threat 12),
 * before it can reach a verifier.
 */
const typed: ParseOptions = { passwordCode: 'plain' };
const meteor: ParseOptions = { passwordCode: 'digest' };

function refusal(raw: RawProof, options: ParseOptions = typed): { code: ErrorCode; details: Record<string, unknown> } {
  try {
    parseProof(raw, options);
  } catch (error) {
    if (isTwofoldError(error)) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error(`parsed ${JSON.stringify(raw)} without refusing it`);
}

describe('parseProof: codes as people type them', () => {
  it.each([
    ['123456', '123456'],
    ['123 456', '123456'],
    ['123-456', '123456'],
    [' 12345678 ', '12345678'],
    ['1234567', '1234567'],
    ['12\t34\n56', '123456'],
  ])('reads %j as the code %s, without naming a factor', (code, expected) => {
    expect(parseProof({ code }, typed)).toEqual({ kind: 'code', code: expected });
  });

  it('reads a JSON number as its digits, restoring the leading zeros a number loses', () => {
    expect(parseProof({ code: 12345 }, typed)).toEqual({ kind: 'code', code: '012345' });
    expect(parseProof({ code: 0 }, typed)).toEqual({ kind: 'code', code: '000000' });
    expect(parseProof({ code: 12345678 }, typed)).toEqual({ kind: 'code', code: '12345678' });
  });

  it.each([-123456, 1234.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN])('refuses the number %s: no factor writes it (-123456 is not 123456)', (code) => {
    expect(refusal({ code }).code).toBe('code_malformed');
  });

  it.each([['12345'], ['123456789'], ['12a456'], ['１２３４５６'], ['+123456'], ['12.456'], ['ABCD-EFG'], ['ABCD-EFGHJ'], ['ABCD-EFG0'], ['ABCD-EFG1']])(
    'refuses %j as malformed, saying what a code looks like',
    (code) => {
      expect(refusal({ code })).toEqual({ code: 'code_malformed', details: { expected: '6 to 8 digits or an 8-character backup code' } });
    },
  );

  it('refuses input longer than 64 characters before reading it, even when it is mostly spaces', () => {
    const padded = ` ${'1'.repeat(6)}${' '.repeat(57)}`;
    expect(padded.length).toBe(64);
    expect(parseProof({ code: padded }, typed)).toEqual({ kind: 'code', code: '111111' });
    expect(refusal({ code: `${padded} ` }).code).toBe('code_malformed');
  });

  it.each([[{ a: 1 }], [['123456']], [true], [Symbol.for('x')]])('refuses a code that is not a string or a number (%s): objects never reach a parser', (code) => {
    expect(refusal({ code }).code).toBe('code_malformed');
  });

  it.each([[' '], ['-'], [' - ']])('asks for a code when the code is only separators (%j)', (code) => {
    expect(refusal({ code }).code).toBe('code_required');
  });

  it('reads a backup code in any case, with or without its hyphen, as upper case', () => {
    expect(parseProof({ code: 'abcd-efgh' }, typed)).toEqual({ kind: 'code', code: 'ABCDEFGH' });
    expect(parseProof({ code: 'ABCDEFGH' }, typed)).toEqual({ kind: 'code', code: 'ABCDEFGH' });
    expect(parseProof({ code: 'abcd efgh', method: 'backup' }, typed)).toEqual({ kind: 'backup', code: 'ABCDEFGH' });
  });

  it('reads eight digits as an authenticator code, not as a backup code', () => {
    // 2 to 9 are in the backup alphabet too: the digits reading wins, as it is the more common code.
    expect(parseProof({ code: '23456789' }, typed)).toEqual({ kind: 'code', code: '23456789' });
    expect(parseProof({ code: '23456789', method: 'backup' }, typed)).toEqual({ kind: 'backup', code: '23456789' });
  });
});

describe('parseProof: a named method', () => {
  it('keeps the named factor for totp and backup codes', () => {
    expect(parseProof({ code: '123 456', method: 'totp' }, typed)).toEqual({ kind: 'totp', code: '123456' });
    expect(parseProof({ code: 'WXYZ-2345', method: 'totp' }, typed)).toEqual({ kind: 'totp', code: 'WXYZ2345' });
  });

  it('refuses a backup method whose code is not a backup code', () => {
    expect(refusal({ code: '123456', method: 'backup' }).code).toBe('code_malformed');
  });

  it('reads an email code as its six digits, ignoring what was typed along (Rocket.Chat does the same)', () => {
    expect(parseProof({ code: '123-456', method: 'email' }, typed)).toEqual({ kind: 'email', code: '123456' });
    expect(parseProof({ code: 'code: 123 456.', method: 'email' }, typed)).toEqual({ kind: 'email', code: '123456' });
    expect(refusal({ code: '12345', method: 'email' }).code).toBe('code_malformed');
    expect(refusal({ code: '1234567', method: 'email' }).code).toBe('code_malformed');
    expect(refusal({ code: 'abc', method: 'email' }).code).toBe('code_required');
  });

  it('treats a method the core does not know as unnamed', () => {
    expect(parseProof({ code: '123456', method: 'sms' }, typed)).toEqual({ kind: 'code', code: '123456' });
    expect(parseProof({ code: '123456', method: 42 }, typed)).toEqual({ kind: 'code', code: '123456' });
    expect(parseProof({ code: '123456', method: 'toString' }, typed)).toEqual({ kind: 'code', code: '123456' });
  });
});

describe('parseProof: no answer', () => {
  it.each([[undefined], [null], ['']])('is null when nothing is offered (code %j) and no session asks', (code) => {
    expect(parseProof({ code }, typed)).toBeNull();
    expect(parseProof({ code }, { ...typed, sessionId: null })).toBeNull();
  });

  it("offers the asking session's recent proof when the request carries no answer", () => {
    expect(parseProof({}, { ...typed, sessionId: 's1' })).toEqual({ kind: 'recent', sessionId: 's1' });
    expect(parseProof({ code: '123456' }, { ...typed, sessionId: 's1' })).toEqual({ kind: 'code', code: '123456' });
  });
});

describe('parseProof: passwords (the fallback of a user with no factor)', () => {
  const digest = passwordDigest('DontDrinkAndDrive');

  it('hashes a typed password to the digest every stored hash is built on', () => {
    expect(parseProof({ password: 'DontDrinkAndDrive' }, meteor)).toEqual({ kind: 'password', digest });
    expect(parseProof({ code: 'DontDrinkAndDrive', method: 'password' }, typed)).toEqual({ kind: 'password', digest });
  });

  it('takes the hex SHA-256 a Meteor client sends, in either case', () => {
    expect(parseProof({ code: digest, method: 'password' }, meteor)).toEqual({ kind: 'password', digest });
    expect(parseProof({ code: digest.toUpperCase(), method: 'password' }, meteor)).toEqual({ kind: 'password', digest });
  });

  it.each([
    ['not hex', 'z'.repeat(64)],
    ['one short', 'a'.repeat(63)],
    ['one long', 'a'.repeat(65)],
    ['hex inside other text', `x${'a'.repeat(64)}`],
    ['hex followed by text', `${'a'.repeat(64)}x`],
    ['the password itself', 'DontDrinkAndDrive'],
  ])('refuses a Meteor password digest that is %s', (_, code) => {
    expect(refusal({ code, method: 'password' }, meteor)).toEqual({ code: 'code_malformed', details: { expected: 'the hex SHA-256 of the password' } });
  });

  it('asks for the password when it is empty or not a string', () => {
    expect(refusal({ method: 'password' }).code).toBe('code_required');
    expect(refusal({ code: '', method: 'password' }).code).toBe('code_required');
    expect(refusal({ code: 42, method: 'password' }).code).toBe('code_required');
  });

  it('refuses a typed password longer than 4096 characters without hashing it', () => {
    expect(parseProof({ password: 'p'.repeat(4096) }, typed)).toEqual({ kind: 'password', digest: passwordDigest('p'.repeat(4096)) });
    expect(refusal({ password: 'p'.repeat(4097) }).code).toBe('code_malformed');
  });

  it('reads an empty or absent password field as no password, so a code beside it still counts', () => {
    expect(parseProof({ password: '', code: '123456' }, typed)).toEqual({ kind: 'code', code: '123456' });
    expect(parseProof({ password: null, code: '123456' }, typed)).toEqual({ kind: 'code', code: '123456' });
  });
});

describe('parseProof: WebAuthn answers', () => {
  const answer = { id: 'cred-1', response: { signature: 'sig' } };

  it('takes an assertion given as its own field or as the code of a webauthn method', () => {
    expect(parseProof({ webauthn: answer }, typed)).toEqual({ kind: 'webauthn', response: answer });
    expect(parseProof({ method: 'webauthn', code: answer }, typed)).toEqual({ kind: 'webauthn', response: answer });
  });

  it('reads a named webauthn method without a usable assertion as asking for the key challenge', () => {
    expect(parseProof({ method: 'webauthn' }, typed)).toEqual({ kind: 'webauthn', response: null });
    for (const response of ['text', ['x'], { id: '' }, { id: 7 }, { id: 'x'.repeat(1025) }, null]) {
      expect(parseProof({ method: 'webauthn', webauthn: response }, typed)).toEqual({ kind: 'webauthn', response: null });
    }
    expect(parseProof({ method: 'webauthn', webauthn: { id: 'x'.repeat(1024) } }, typed)).toEqual({ kind: 'webauthn', response: { id: 'x'.repeat(1024) } });
  });

  it('reads an answer by the method it names, whatever other fields come along', () => {
    expect(parseProof({ method: 'totp', code: '123456', webauthn: answer }, typed)).toEqual({ kind: 'totp', code: '123456' });
    expect(parseProof({ method: 'totp', code: '123456', password: 'DontDrinkAndDrive' }, typed)).toEqual({ kind: 'totp', code: '123456' });
  });

  it('takes only an object with a string id as an assertion', () => {
    expect(parseProof({ method: 'webauthn', webauthn: null, code: null }, typed)).toEqual({ kind: 'webauthn', response: null });
    expect(parseProof({ method: 'webauthn', webauthn: { id: ['x'] } }, typed)).toEqual({ kind: 'webauthn', response: null });
  });

  it('ignores an empty webauthn field beside a code', () => {
    expect(parseProof({ webauthn: null, code: '123456' }, typed)).toEqual({ kind: 'code', code: '123456' });
  });
});

describe('backupShape', () => {
  it('accepts exactly eight characters of the look-alike-free alphabet, in any case', () => {
    expect(backupShape('abcdefgh')).toBe('ABCDEFGH');
    expect(backupShape('ABCDEFG')).toBeNull();
    expect(backupShape('ABCDEFGHJ')).toBeNull();
    // Every character is checked, not just one: a single look-alike anywhere refuses the code.
    expect(backupShape('0BCDEFGH')).toBeNull();
    expect(backupShape('ABCDEFGO')).toBeNull();
    expect(backupShape('ABCD1FGH')).toBeNull();
  });
});
