import { parseArgs } from 'node:util';
import type { Runtime } from '../server/runtime.ts';
import type { EnforcementPolicy } from '../core/index.ts';
import type { Output } from './output.ts';

const USAGE = `usage: twofold policy <command>
  show                                            the enforcement policy, and how many users it covers
  enforce (--roles a,b | --everyone) --grace 7d   require a second factor; each covered user has the grace
                                                  (s, m, h, d; 0: at once) from when the policy first covered them
  off                                             stop enforcing`;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** `7d`, `36h`, `90m`, `0`: a duration in seconds (a bare number is seconds). */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration: write e.g. 7d, 36h, 90m or 0`);
  return Number(match[1]) * UNITS[match[2] || 's']!;
}

function describe(policy: EnforcementPolicy | null) {
  if (!policy) return null;
  return { everyone: policy.everyone, roles: policy.roles, graceSeconds: policy.graceSeconds, setAt: policy.setAt.toISOString() };
}

const who = (policy: EnforcementPolicy) => (policy.everyone ? 'everyone' : `roles ${policy.roles.join(', ')}`);

export async function policyCommand(runtime: Runtime, args: string[], out: Output): Promise<number> {
  const [command, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { roles: { type: 'string' }, everyone: { type: 'boolean' }, grace: { type: 'string' } } });
  const { enforcement } = runtime.core.admin;
  switch (command) {
    case 'show': {
      const { policy, covered, pastDeadline } = await enforcement.show();
      out.result({ policy: describe(policy), covered, pastDeadline }, () =>
        policy
          ? `a second factor is required of ${who(policy)}, with ${policy.graceSeconds} s of grace (set ${policy.setAt.toISOString()})\n` +
            `${covered} users covered, ${pastDeadline} past their deadline`
          : 'no enforcement policy: a second factor is optional',
      );
      return 0;
    }
    case 'enforce': {
      if (Boolean(values.everyone) === Boolean(values.roles)) throw new Error('give either --roles a,b or --everyone');
      if (values.grace === undefined) throw new Error('give --grace (e.g. 7d; 0 for none)');
      const roles = values.roles ? values.roles.split(',').map((role) => role.trim()).filter(Boolean) : [];
      const policy = await enforcement.enforce({ everyone: values.everyone === true, roles, graceSeconds: parseDuration(values.grace) });
      out.result({ policy: describe(policy) }, () => `a second factor is now required of ${who(policy)}, with ${policy.graceSeconds} s of grace`);
      return 0;
    }
    case 'off':
      await enforcement.off();
      out.result({ policy: null }, () => 'enforcement is off: a second factor is optional');
      return 0;
    default:
      out.error(USAGE);
      return 2;
  }
}
