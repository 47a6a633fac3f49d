import type { Logger } from 'pino';
import type { Core } from '../core/index.ts';
import { startPeriodicPass } from './periodic-pass.ts';

export interface FactorChangeApplier {
  /** Applies what is due now (after any pass under way); resolves with how many changes were applied. */
  applyDue(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Applies factor changes whose veto window is over (migration 0016), on every instance: the store claims each due
 * change with FOR UPDATE SKIP LOCKED, so two instances never apply the same one. A user's due changes are also
 * applied when they sign in or look at their factors; this catches the rest within `intervalMs`.
 */
export function startFactorChangeApplier(deps: { core: Core; logger: Logger; intervalMs: number }): FactorChangeApplier {
  async function pass(): Promise<number> {
    let applied = 0;
    // A batch at a time until none is due: a backlog (an instance down for a day) drains in one tick.
    for (let batch = await deps.core.factorChanges.applyDue(); batch > 0; batch = await deps.core.factorChanges.applyDue()) applied += batch;
    return applied;
  }

  const periodic = startPeriodicPass(pass, { intervalMs: deps.intervalMs, logger: deps.logger, failure: 'factor change pass failed' });
  return { applyDue: periodic.runNow, stop: periodic.stop };
}
