import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { migrate, openDb, purgeExpired } from '../store/index.ts';
import type { Output } from './output.ts';

/**
 * `twofold purge [--dry-run]`: deletes expired rows now (the server does it every PURGE_INTERVAL_SECONDS), waiting
 * its turn if an instance is purging. `--dry-run` counts what would go and deletes nothing.
 */
export async function purgeCommand(config: Config, args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean' } } });
  const dryRun = values['dry-run'] === true;
  const db = await openDb(config.database);
  try {
    await migrate(db);
    const rows = await purgeExpired(db, { now: new Date(), dryRun, lock: 'wait', eventsRetentionDays: config.securityEventsRetentionDays });
    const total = Object.values(rows).reduce((sum, n) => sum + n, 0);
    out.result({ dryRun, rows, total }, () =>
      [
        `${dryRun ? 'would delete' : 'deleted'} ${total} expired row${total === 1 ? '' : 's'}`,
        ...Object.entries(rows).map(([table, n]) => `  ${table.padEnd(22)} ${String(n).padStart(8)}`),
      ].join('\n'),
    );
    return 0;
  } finally {
    await db.close();
  }
}
