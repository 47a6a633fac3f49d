import type { AccountEvents } from '../audit/account-events.ts';
import type { UserStore } from '../users/store.ts';
import type { VetoWindowDeps } from './request.ts';
import { describeKind } from './store.ts';

export interface ApplierDeps extends Pick<VetoWindowDeps, 'store' | 'clock' | 'windowSeconds'> {
  users: UserStore;
  events: AccountEvents;
}

/** Changes applied per call: the interval worker calls again on its next tick for the rest. */
const BATCH = 100;

/**
 * Applies the changes whose window is over (of every user, or of one) and then does what any factor change does:
 * the audit record, the owner's mail, and for a factor gone or replaced, the end of the user's other sessions (the
 * session that asked stays). The store claims each change for one applier only, so this runs on every instance.
 */
export async function applyDueChanges(deps: ApplierDeps, userId?: string): Promise<number> {
  const done = await deps.store.applyDue(deps.clock.now(), { limit: BATCH, ...(userId ? { userId } : {}) });
  for (const change of done) {
    const { factor, change: what } = describeKind(change.kind);
    await deps.events.audit.record('factor_change_applied', change.userId, null, { changeId: change.id, kind: change.kind, factor, change: what, outcome: change.status });
    const user = change.status === 'applied' ? await deps.users.findById(change.userId) : null;
    if (user) await deps.events.factorChanged(user, factor, what, null, change.sessionId, { applied: true });
  }
  return done.length;
}

/**
 * Before a user's factors are shown or changed: their due changes, applied now rather than at the worker's next
 * tick. Nothing to do (and no query) with the window off. Says whether anything changed (a factor state read
 * before is then out of date).
 */
export async function settleDueChanges(deps: ApplierDeps, userId: string): Promise<boolean> {
  return deps.windowSeconds > 0 && (await applyDueChanges(deps, userId)) > 0;
}
