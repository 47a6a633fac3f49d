import { describe, expect, it } from 'vitest';
import { normalizeEmail, parseLoginIdentity } from './identity.ts';

describe('identities', () => {
  it('normalise emails to one case and NFC', () => {
    expect(normalizeEmail('  Jack.Daniels@Tennessee.GOV ')).toBe('jack.daniels@tennessee.gov');
    expect(normalizeEmail('Jose\u0301@example.test')).toBe('josé@example.test');
  });

  it.each(['', 'plain', '@x.test', 'a@', 'a b@x.test', 'a@x..test', 'a@-x.test', `${'a'.repeat(250)}@x.test`, 'a@x.test\u0000'])(
    'reject %j as an email',
    (input) => {
      expect(() => normalizeEmail(input)).toThrow(expect.objectContaining({ code: 'invalid_email' }));
    },
  );

  it('read a login as an email when it has an @, else as a username', () => {
    expect(parseLoginIdentity('Jack@X.test')).toEqual({ email: 'jack@x.test' });
    expect(parseLoginIdentity('jack')).toEqual({ username: 'jack' });
    expect(parseLoginIdentity('   ')).toBeNull();
  });
});
