import { parseArgs } from 'node:util';
import type { Runtime } from '../server/runtime.ts';
import type { UserRecord } from '../core/index.ts';
import type { Output } from './output.ts';
import { accountSummary } from '../core/admin/directory.ts';

const USAGE = `usage: twofold user <command>
  list [--limit N] [--offset N]     list users
  show <id|email>                   show one user
  create --email E --password P [--username U] [--verified]
  roles <id|email> [--set a,b]      show a user's roles, or replace them (--set '' removes all)
  verify-email <id|email>           mark the email address verified
  unlock <id|email>                 lift a second-factor lockout
  reset-2fa <id|email>              remove every second factor (lost device), end all sessions
  disable <id|email>                disable the account and revoke its sessions
  enable <id|email>                 enable a disabled account
  delete <id|email>                 delete the account and everything it owns`;

/** The operator's summary (as the admin API shows it) with roles and the setup deadline, fields in the printed order. */
function describe(user: UserRecord) {
  const { createdAt, ...summary } = accountSummary(user);
  return { ...summary, roles: user.roles, setupDueAt: user.setupDueAt?.toISOString() ?? null, createdAt };
}

function line(user: UserRecord): string {
  const flags = [user.emailVerifiedAt ? 'verified' : 'unverified', user.disabledAt ? 'disabled' : ''].filter(Boolean).join(',');
  return `${user.id}  ${user.email}${user.username ? ` (${user.username})` : ''}  [${flags}]`;
}

export async function userCommand(runtime: Runtime, args: string[], out: Output): Promise<number> {
  const [command, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      limit: { type: 'string' },
      offset: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      username: { type: 'string' },
      verified: { type: 'boolean' },
      set: { type: 'string' },
    },
  });
  const { admin } = runtime.core;
  const target = async () => {
    if (!positionals[0]) throw new Error('give a user id or email');
    return admin.findUser(positionals[0]);
  };

  switch (command) {
    case 'list': {
      const users = await admin.listUsers(Number(values.limit ?? 100), Number(values.offset ?? 0));
      out.result(users.map(describe), () => (users.length ? users.map(line).join('\n') : 'no users'));
      return 0;
    }
    case 'show': {
      const user = await target();
      out.result(describe(user), () => Object.entries(describe(user)).map(([k, v]) => `${k}: ${v}`).join('\n'));
      return 0;
    }
    case 'create': {
      const { record } = await runtime.core.auth.register({ email: values.email, password: values.password, username: values.username });
      const user = values.verified ? await admin.verifyEmail(record.id) : record;
      out.result(describe(user), () => `created ${line(user)}`);
      return 0;
    }
    case 'roles': {
      const found = await target();
      const user = values.set === undefined ? found : await admin.setRoles(found.id, values.set.split(',').map((role) => role.trim()).filter(Boolean));
      out.result({ id: user.id, roles: user.roles, setupDueAt: user.setupDueAt?.toISOString() ?? null }, () =>
        `${user.email}: ${user.roles.length ? user.roles.join(', ') : 'no roles'}${user.setupDueAt ? ` (second factor due ${user.setupDueAt.toISOString()})` : ''}`,
      );
      return 0;
    }
    case 'verify-email': {
      const user = await admin.verifyEmail((await target()).id);
      out.result(describe(user), () => `verified ${line(user)}`);
      return 0;
    }
    case 'reset-2fa': {
      const user = await target();
      await admin.resetSecondFactors(user.id);
      out.result({ reset: user.id }, () => `second factors removed and sessions ended for ${line(user)}`);
      return 0;
    }
    case 'unlock': {
      const user = await target();
      await admin.unlock(user.id);
      out.result({ unlocked: user.id }, () => `unlocked ${line(user)}`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const user = await admin.setDisabled((await target()).id, command === 'disable');
      out.result(describe(user), () => `${command}d ${line(user)}`);
      return 0;
    }
    case 'delete': {
      const user = await target();
      await admin.deleteUser(user.id);
      out.result({ deleted: user.id }, () => `deleted ${user.email}`);
      return 0;
    }
    default:
      out.error(USAGE);
      return 2;
  }
}
