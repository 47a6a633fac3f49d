import { generateKeySpec } from '../core/crypto/keyring.ts';
import { isTwofoldError } from '../core/errors.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createLogger } from '../server/logger.ts';
import { openRuntime } from '../server/runtime.ts';
import { DataDirError, prepareDataDirs } from '../server/data-dir.ts';
import { migrate, openDb } from '../store/index.ts';
import { createOutput } from './output.ts';
import { serve } from './serve.ts';
import { userCommand } from './user.ts';
import { keysCommand } from './keys.ts';
import { eventsCommand } from './events.ts';
import { doctorCommand } from './doctor.ts';
import { auditCommand } from './audit.ts';
import { purgeCommand } from './purge.ts';
import { policyCommand } from './policy.ts';
import { adminCommand } from './admin.ts';
import { exportCommand, importCommand } from './totp-transfer.ts';

const USAGE = `twofold — self-hosted two-factor authentication server

usage: twofold <command> [--json]
  serve [--workers N] run the server (configuration from environment variables; see README);
                      N processes share the port (default: one per core on PostgreSQL, 1 embedded)
  migrate             apply database migrations and exit
  user <command>      manage users (list, show, create, roles, verify-email, unlock, disable, enable, delete)
  policy <command>    show, enforce (--roles a,b | --everyone) --grace 7d, off: who must have a second factor
  keys <command>      generate, list, rotate [--retire ID]: the key ring for secrets at rest
  events [--user ID|EMAIL] [--kind KIND] [--since ISO] [--limit N]   the security audit log
  audit <command>     verify [--user] [--against HEAD.json], head, export [--since]: the log's hash chains
  purge [--dry-run]   delete expired sessions, codes, transactions, devices, challenges and rate-limit windows
                      now (the server does it every PURGE_INTERVAL_SECONDS); --dry-run counts them
  admin token <cmd>   create --name N --scope S,… [--ttl 90d], list, revoke ID: admin API tokens
  admin webhook <cmd> create --url U --kinds K,…, list, remove ID: signed webhook endpoints
  import totp --format otpauth|csv|authelia-yaml FILE [--dry-run]   authenticators from another system
  export totp --format … [--out FILE] --i-understand-this-exports-secrets   every authenticator secret, in the clear
  doctor              check configuration, database, schema, key ring, mail and clock skew
  help                this text`;

/** Entry point of the `twofold` command. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const out = createOutput(json);
  const [command, ...rest] = args;

  if (!command || command === 'help' || command === '--help' || command === '-h') {
    out.result({ usage: USAGE }, () => USAGE);
    return command ? 0 : 2;
  }
  if (command === 'keys' && (rest[0] === 'generate' || rest[0] === undefined)) {
    const spec = generateKeySpec(rest[1] ?? `k${Date.now().toString(36)}`);
    out.result({ key: spec }, () => spec);
    return 0;
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) out.error(`config: ${problem}`);
    return 2;
  }
  try {
    await prepareDataDirs(config);
  } catch (error) {
    if (!(error instanceof DataDirError)) throw error;
    out.error(error.message);
    return 2;
  }

  try {
    switch (command) {
      case 'serve':
        return await serve(config, workersOption(rest));
      case 'migrate': {
        const db = await openDb(config.database);
        try {
          const { applied } = await migrate(db);
          out.result({ applied }, () => (applied.length ? `applied migrations ${applied.join(', ')}` : 'schema is up to date'));
          return 0;
        } finally {
          await db.close();
        }
      }
      case 'purge':
        return await purgeCommand(config, rest, out);
      case 'user':
      case 'keys':
      case 'events':
      case 'audit':
      case 'policy':
      case 'admin':
      case 'import':
      case 'export':
      case 'doctor': {
        const runtime = await openRuntime({ config, logger: createLogger(json ? 'silent' : 'warn') });
        try {
          if (command === 'user') return await userCommand(runtime, rest, out);
          if (command === 'keys') return await keysCommand(runtime, rest, out);
          if (command === 'doctor') return await doctorCommand(runtime, out);
          if (command === 'audit') return await auditCommand(runtime, rest, out);
          if (command === 'policy') return await policyCommand(runtime, rest, out);
          if (command === 'admin') return await adminCommand(runtime, rest, out);
          if (command === 'import') return await importCommand(runtime, rest, out);
          if (command === 'export') return await exportCommand(runtime, rest, out);
          return await eventsCommand(runtime, rest, out);
        } finally {
          await runtime.close();
        }
      }
      default:
        out.error(`unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    out.error(isTwofoldError(error) ? `${error.code}: ${error.message}` : (error as Error).message);
    return 1;
  }
}

function workersOption(args: string[]): number | undefined {
  const index = args.indexOf('--workers');
  const raw = index >= 0 ? args[index + 1] : process.env.WORKERS;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 64) throw new Error('--workers must be a whole number from 1 to 64');
  return value;
}
