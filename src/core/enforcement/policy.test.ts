import { describe, expect, it } from 'vitest';
import { TwofoldError } from '../errors.ts';
import { covers, MAX_GRACE_SECONDS, MAX_ROLES, newPolicy, parseRoles } from './policy.ts';

const now = new Date('2026-01-01T00:00:00Z');
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TwofoldError);
    return (error as TwofoldError).details;
  }
  throw new Error('expected a refusal');
};

describe('roles', () => {
  it('are distinct, sorted, lower case labels', () => {
    expect(parseRoles(['Staff', 'admin', 'staff ', 'support-eu'])).toEqual(['admin', 'staff', 'support-eu']);
    expect(parseRoles([])).toEqual([]);
  });

  it.each([[['has space']], [['-leading']], [['x'.repeat(33)]], [[42]], ['admin']])('refuses %j naming the rule', (input) => {
    expect(refusal(() => parseRoles(input))).toMatchObject({ field: 'roles', rule: expect.any(String) });
  });

  it(`are at most ${MAX_ROLES} per user`, () => {
    const many = Array.from({ length: MAX_ROLES + 1 }, (_, i) => `role${i}`);
    expect(refusal(() => parseRoles(many))).toMatchObject({ rule: `at most ${MAX_ROLES} roles` });
  });
});

describe('the enforcement policy', () => {
  it('names roles or everyone, with a grace of whole seconds up to a year', () => {
    expect(newPolicy({ everyone: false, roles: ['Admin'], graceSeconds: 604_800 }, now)).toEqual({ everyone: false, roles: ['admin'], graceSeconds: 604_800, setAt: now });
    expect(newPolicy({ everyone: true, roles: ['ignored'], graceSeconds: 0 }, now).roles).toEqual([]);
    expect(refusal(() => newPolicy({ everyone: false, roles: [], graceSeconds: 0 }, now))).toMatchObject({ field: 'roles' });
    for (const graceSeconds of [-1, 1.5, MAX_GRACE_SECONDS + 1]) {
      expect(refusal(() => newPolicy({ everyone: true, roles: [], graceSeconds }, now))).toMatchObject({ field: 'graceSeconds' });
    }
  });

  it('covers everyone, or users holding one of its roles', () => {
    const staff = newPolicy({ everyone: false, roles: ['staff', 'admin'], graceSeconds: 0 }, now);
    expect(covers(staff, ['admin'])).toBe(true);
    expect(covers(staff, ['user'])).toBe(false);
    expect(covers(newPolicy({ everyone: true, roles: [], graceSeconds: 0 }, now), [])).toBe(true);
    expect(covers(null, ['admin'])).toBe(false);
  });
});
