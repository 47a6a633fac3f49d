import { describe, expect, it } from 'vitest';
import { checkProfileChanges, isReservedProperty, mergedProfile, profileLimits } from './profile.ts';

describe('profile properties', () => {
  it('take JSON values under Backendless-style column names; null stands for "remove"', () => {
    expect(checkProfileChanges({ name: 'Ann', age: 42, tags: ['a'], address: { city: 'Leeds' }, gone: null })).toEqual({
      name: 'Ann',
      age: 42,
      tags: ['a'],
      address: { city: 'Leeds' },
      gone: null,
    });
    expect(mergedProfile({ name: 'Ann', gone: 1 }, { gone: null, phone: '1' })).toEqual({ name: 'Ann', phone: '1' });
  });

  it.each(['objectId', 'OBJECTID', 'email', 'password', 'totpAuthEnabled', 'userStatus', 'created', 'id', 'backupCodes'])(
    'refuse %s: it is the account’s own',
    (name) => {
      expect(isReservedProperty(name)).toBe(true);
      expect(() => checkProfileChanges({ [name]: 1 })).toThrow(expect.objectContaining({ code: 'property_protected', details: { property: name } }));
    },
  );

  it.each(['', '1st', '_x', 'with space', 'dash-ed', 'ünïcode', 'x'.repeat(65)])('refuse the name %j', (name) => {
    expect(() => checkProfileChanges({ [name]: 1 })).toThrow(expect.objectContaining({ code: 'property_invalid' }));
  });

  it('refuse what is not an object, values nested too deep, too many and too large, before anything is written', () => {
    for (const input of [null, [], 'x', 1]) expect(() => checkProfileChanges(input)).toThrow(expect.objectContaining({ code: 'property_invalid' }));
    let deep: unknown = 1;
    for (let i = 0; i <= profileLimits.maxDepth; i++) deep = [deep];
    expect(() => checkProfileChanges({ deep })).toThrow(expect.objectContaining({ code: 'property_invalid', details: expect.objectContaining({ property: 'deep' }) }));
    // Thousands of levels (a 64 KiB body can hold them) are refused without walking them all.
    let abyss: unknown = 1;
    for (let i = 0; i < 50_000; i++) abyss = [abyss];
    expect(() => checkProfileChanges({ abyss })).toThrow(expect.objectContaining({ code: 'property_invalid' }));
    const many = Object.fromEntries(Array.from({ length: profileLimits.maxProperties + 1 }, (_, i) => [`p${i}`, i]));
    expect(() => mergedProfile({}, many)).toThrow(expect.objectContaining({ code: 'property_invalid' }));
    expect(() => mergedProfile({}, { big: 'x'.repeat(profileLimits.maxBytes) })).toThrow(expect.objectContaining({ code: 'property_invalid' }));
  });
});
