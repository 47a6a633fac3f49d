import { TwofoldError } from '../errors.ts';

/**
 * Who must have a second factor, and how long each has to set one up. A user is covered when the policy covers
 * everyone or the user holds one of its roles; the grace runs from the moment the policy first covered the user
 * (kept on the user row, so neither signing in again nor a role taken away and given back starts a new one).
 */
export interface EnforcementPolicy {
  everyone: boolean;
  roles: string[];
  graceSeconds: number;
  setAt: Date;
}

/** Roles are short labels an operator chooses (`admin`, `staff`, `support-eu`): a few per user. */
const ROLE_NAME = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
export const MAX_ROLES = 16;
/** A year: a longer grace is no enforcement. */
export const MAX_GRACE_SECONDS = 366 * 86_400;

/** The distinct roles named, sorted; a bad name or too many is a typed refusal naming the rule. */
export function parseRoles(input: unknown): string[] {
  if (!Array.isArray(input)) throw new TwofoldError('validation_failed', { field: 'roles', rule: 'a list of role names' });
  const roles = [...new Set(input.map((role) => (typeof role === 'string' ? role.trim().toLowerCase() : role)))];
  for (const role of roles) {
    if (typeof role !== 'string' || !ROLE_NAME.test(role)) {
      throw new TwofoldError('validation_failed', { field: 'roles', rule: 'letters, digits, _ . - (at most 32, lower case)', role: String(role) });
    }
  }
  if (roles.length > MAX_ROLES) throw new TwofoldError('validation_failed', { field: 'roles', rule: `at most ${MAX_ROLES} roles` });
  return (roles as string[]).sort();
}

export function newPolicy(input: { everyone: boolean; roles: unknown; graceSeconds: number }, now: Date): EnforcementPolicy {
  const roles = input.everyone ? [] : parseRoles(input.roles);
  if (!input.everyone && roles.length === 0) throw new TwofoldError('validation_failed', { field: 'roles', rule: 'name at least one role, or everyone' });
  if (!Number.isInteger(input.graceSeconds) || input.graceSeconds < 0 || input.graceSeconds > MAX_GRACE_SECONDS) {
    throw new TwofoldError('validation_failed', { field: 'graceSeconds', rule: `a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}` });
  }
  return { everyone: input.everyone, roles, graceSeconds: input.graceSeconds, setAt: now };
}

/** Does the policy cover a user with these roles? (The store applies the same rule in SQL, to every user at once.) */
export const covers = (policy: EnforcementPolicy | null, roles: readonly string[]) =>
  policy !== null && (policy.everyone || roles.some((role) => policy.roles.includes(role)));
