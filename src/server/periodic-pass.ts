import type { Logger } from 'pino';

export interface PeriodicPass {
  /** Runs a pass now, after the one under way (if any); resolves with what it counted. */
  runNow(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A pass over work the database hands out (the webhook outbox, due factor changes) every `intervalMs`: one pass at
 * a time per process; a failed pass (the database down) is logged and tried again on the next tick.
 */
export function startPeriodicPass(pass: () => Promise<number>, options: { intervalMs: number; logger: Logger; failure: string }): PeriodicPass {
  let running: Promise<number> | null = null;
  let stopped = false;
  function tick() {
    if (running || stopped) return;
    running = pass()
      .catch((error: unknown) => {
        options.logger.warn({ err: error }, options.failure);
        return 0;
      })
      .finally(() => {
        running = null;
      });
  }
  const timer = options.intervalMs > 0 ? setInterval(tick, options.intervalMs) : null;
  timer?.unref();
  return {
    async runNow() {
      while (running) await running;
      return pass();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      while (running) await running;
    },
  };
}
