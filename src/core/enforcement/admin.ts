import type { AuditLog } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { TwofoldError } from '../errors.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { UserRecord } from '../users/user.ts';
import { newPolicy, parseRoles, type EnforcementPolicy } from './policy.ts';
import type { EnforcementCounts, EnforcementStore } from './store.ts';

export interface EnforcementAdminDeps {
  enforcement: EnforcementStore;
  audit: AuditLog;
  clock: Clock;
}

/**
 * Operator actions on roles and the enforcement policy (the CLI; the admin API passes its own `context`, which the
 * audit event records: the CLI's is `{client: 'cli'}`). Every change is audited.
 */
export interface EnforcementAdmin {
  /** Replaces a user's roles; under the policy, the user's grace starts now unless it started before. */
  setRoles(userId: string, roles: unknown, context?: RequestContext): Promise<UserRecord>;
  enforcement: {
    show(): Promise<{ policy: EnforcementPolicy | null } & EnforcementCounts>;
    /** Sets the policy (replacing any): takes effect at the next request of every session. */
    enforce(input: { everyone: boolean; roles?: unknown; graceSeconds: number }, context?: RequestContext): Promise<EnforcementPolicy>;
    off(context?: RequestContext): Promise<void>;
  };
}

const CLI: RequestContext = { client: 'cli' };

export function createEnforcementAdmin(deps: EnforcementAdminDeps): EnforcementAdmin {
  const { enforcement, audit, clock } = deps;
  return {
    async setRoles(userId, input, context = CLI) {
      const roles = parseRoles(input);
      const user = await enforcement.setRoles(userId, roles, clock.now());
      if (!user) throw new TwofoldError('user_not_found');
      await audit.record('roles_changed', user.id, context, { roles });
      return user;
    },
    enforcement: {
      async show() {
        const now = clock.now();
        return { policy: await enforcement.policy(), ...(await enforcement.counts(now)) };
      },
      async enforce(input, context = CLI) {
        const now = clock.now();
        const policy = newPolicy({ everyone: input.everyone, roles: input.roles ?? [], graceSeconds: input.graceSeconds }, now);
        await enforcement.setPolicy(policy, now);
        await audit.record('enforcement_changed', null, context, { everyone: policy.everyone, roles: policy.roles, graceSeconds: policy.graceSeconds });
        return policy;
      },
      async off(context = CLI) {
        await enforcement.setPolicy(null, clock.now());
        await audit.record('enforcement_changed', null, context, { off: true });
      },
    },
  };
}
