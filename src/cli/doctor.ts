import { loadMigrations } from '../store/migrate.ts';
import { createMailer } from '../mail/index.ts';
import type { Runtime } from '../server/runtime.ts';
import type { Output } from './output.ts';
import { join } from 'node:path';

type Status = 'ok' | 'warn' | 'fail';
interface Check {
  check: string;
  status: Status;
  detail: string;
}

/** TOTP accepts ±1 step of 30 s; a server clock off by more than a few seconds eats into that. */
const SKEW_WARN_MS = 2_000;
const SKEW_FAIL_MS = 15_000;

/** `twofold doctor`: configuration, database, schema, key ring, mail and clock, each ok / warn / fail. */
export async function doctorCommand(runtime: Runtime, out: Output): Promise<number> {
  const checks: Check[] = [{ check: 'config', status: 'ok', detail: `database ${runtime.config.database.kind}, public URL ${runtime.config.publicUrl}` }];
  const run = async (check: string, fn: () => Promise<[Status, string]>) => {
    try {
      const [status, detail] = await fn();
      checks.push({ check, status, detail });
    } catch (error) {
      checks.push({ check, status: 'fail', detail: (error as Error).message });
    }
  };

  await run('database', async () => {
    const [row] = await runtime.db.query<{ version: string }>('SELECT version()');
    return ['ok', row?.version.split(',')[0] ?? 'answers'];
  });
  await run('schema', async () => {
    const known = (await loadMigrations()).map((m) => m.version);
    const applied = new Set((await runtime.db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const missing = known.filter((v) => !applied.has(v));
    return missing.length ? ['fail', `migrations not applied: ${missing.join(', ')}`] : ['ok', `${known.length} migrations applied`];
  });
  await run('clock', async () => {
    const before = Date.now();
    const [row] = await runtime.db.query<{ now: Date }>('SELECT now() AS now');
    const local = (before + Date.now()) / 2;
    const skew = Math.abs(row!.now.getTime() - local);
    const status: Status = skew > SKEW_FAIL_MS ? 'fail' : skew > SKEW_WARN_MS ? 'warn' : 'ok';
    return [status, `${Math.round(skew)} ms from the database clock (TOTP tolerates ±30 s in total)`];
  });
  await run('keys', async () => {
    const ring = runtime.core.admin.keys.ring();
    const usage = await runtime.core.admin.keys.usage();
    const missing = usage.filter((u) => !ring.keyIds.includes(u.keyId)).map((u) => u.keyId);
    if (missing.length) return ['fail', `data needs keys missing from the ring: ${missing.join(', ')}`];
    const stale = usage.filter((u) => u.keyId !== ring.activeKeyId && u.secrets > 0);
    return stale.length ? ['warn', `secrets under old keys (${stale.map((u) => u.keyId).join(', ')}): run keys rotate`] : ['ok', `active key ${ring.activeKeyId}`];
  });
  await run('mail', async () => {
    const config = runtime.config;
    const mailer = createMailer({
      from: config.mailFrom,
      outboxDir: join(config.dataDir, 'outbox'),
      logger: runtime.logger,
      logSecrets: false,
      ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}),
    });
    try {
      await mailer.verify();
      return config.smtpUrl ? ['ok', 'SMTP server accepts connections'] : ['warn', 'no SMTP_URL: mails go to the development outbox'];
    } finally {
      await mailer.close();
    }
  });

  out.result(checks, () => checks.map((c) => `${c.status.toUpperCase().padEnd(5)} ${c.check.padEnd(9)} ${c.detail}`).join('\n'));
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
