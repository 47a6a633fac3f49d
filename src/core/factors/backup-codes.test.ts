import { describe, expect, it } from 'vitest';
import { testKeyRing } from '../../../test/core/fixtures.ts';
import {
  BACKUP_CODE_ALPHABET,
  BACKUP_CODE_COUNT,
  BACKUP_CODE_LENGTH,
  backupCodeLookup,
  formatBackupCode,
  generateBackupCodes,
  hashBackupCodes,
  issueBackupCodes,
} from './backup-codes.ts';

describe('backup codes', () => {
  it('come twelve at a time, eight characters of an alphabet without look-alikes (0/O, 1/I/L)', () => {
    expect(BACKUP_CODE_ALPHABET).toBe('23456789ABCDEFGHJKMNPQRSTUVWXYZ');
    expect([BACKUP_CODE_COUNT, BACKUP_CODE_LENGTH]).toEqual([12, 8]);
    const codes = generateBackupCodes();
    expect(codes).toHaveLength(12);
    for (const code of codes) expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    expect(new Set(codes).size).toBe(12);
  });

  it('are shown as ABCD-EFGH', () => {
    expect(formatBackupCode('ABCDEFGH')).toBe('ABCD-EFGH');
  });

  it('are stored only as peppered hashes, shown once as formatted codes', () => {
    const keyRing = testKeyRing();
    const { hashes, shown } = issueBackupCodes(keyRing, 'user-a');
    expect(shown).toHaveLength(12);
    expect(hashes).toHaveLength(12);
    shown.forEach((formatted, i) => {
      expect(formatted).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
      const code = formatted.replace('-', '');
      expect(hashes[i]).toMatch(/^k1\$[0-9a-f]{64}$/);
      expect(hashes[i]).not.toContain(code);
      expect(hashes[i]).toBe(hashBackupCodes(keyRing, 'user-a', [code])[0]);
    });
  });

  it('hash differently for two users: a code of one user is never found under another', () => {
    const keyRing = testKeyRing();
    const [a] = hashBackupCodes(keyRing, 'user-a', ['ABCDEFGH']);
    const [b] = hashBackupCodes(keyRing, 'user-b', ['ABCDEFGH']);
    expect(a).not.toBe(b);
    expect(backupCodeLookup(keyRing, 'user-a', 'ABCDEFGH')).toEqual([a]);
    expect(backupCodeLookup(keyRing, 'user-b', 'ABCDEFGH')).not.toContain(a);
  });

  it('are looked up under every key of the ring, so a rotation does not lose them', () => {
    const old = testKeyRing(['old']);
    const rotated = testKeyRing(['new', 'old']);
    const [stored] = hashBackupCodes(old, 'user-a', ['ABCDEFGH']);
    const lookup = backupCodeLookup(rotated, 'user-a', 'ABCDEFGH');
    expect(lookup).toHaveLength(2);
    expect(lookup[0]).toMatch(/^new\$/);
    expect(lookup[1]).toBe(stored);
    // New codes are hashed under the active key only.
    expect(hashBackupCodes(rotated, 'user-a', ['ABCDEFGH'])).toEqual([lookup[0]]);
  });
});
