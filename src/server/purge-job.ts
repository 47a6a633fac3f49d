import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { purgeExpired, type Db } from '../store/index.ts';
import type { Metrics } from './metrics.ts';

export interface PurgeJob {
  /** One purge now (tests); null when another instance holds the purge lock. */
  runOnce(): Promise<Record<string, number> | null>;
  /** Stops the timer and a run in progress (between batches), and waits for it. */
  stop(): Promise<void>;
}

export interface PurgeJobOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  intervalSeconds: number;
  eventsRetentionDays: number | undefined;
}

/**
 * Deletes expired rows every `intervalSeconds` (src/store/purge.ts). Every instance runs the timer; an advisory
 * lock lets one of them purge at a time and the others skip their turn. Each wait is jittered (±25 %) so a fleet
 * started together does not knock at once; a failed run (database away) is logged and tried at the next turn.
 */
export function startPurgeJob(options: PurgeJobOptions): PurgeJob {
  const { db, clock, logger, metrics } = options;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const runOnce = async () => {
    const counts = await purgeExpired(db, {
      now: clock.now(),
      lock: 'try',
      eventsRetentionDays: options.eventsRetentionDays,
      signal: abort.signal,
      onDeleted: (table, rows) => metrics.purgedRows.inc({ table }, rows),
    });
    const total = counts ? Object.values(counts).reduce((sum, n) => sum + n, 0) : 0;
    if (counts === null) logger.debug('purge skipped: another instance is purging');
    else if (total > 0) logger.info({ rows: counts }, `purged ${total} expired rows`);
    return counts;
  };

  const schedule = () => {
    if (abort.signal.aborted) return;
    const delay = options.intervalSeconds * 1000 * (0.75 + Math.random() / 2);
    timer = setTimeout(() => {
      running = runOnce()
        .catch((error: unknown) => logger.warn({ err: error }, 'purge of expired rows failed; trying again at the next turn'))
        .finally(schedule);
    }, delay);
    timer.unref();
  };
  schedule();

  return {
    runOnce,
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
