import { currentStep, msToNextStep, totpCode } from './totp-client.ts';
import { sleep } from './stats.ts';

/**
 * Hands out "a pending login and the right code for it". A TOTP code is accepted once per time step
 * per user (replay protection), so each user may be used for the code of the current step and then
 * for the next step's code (both inside the ±1 window), and again once per new step after that. Users
 * are visited round-robin, never two requests of one user in flight at once (they could arrive out of
 * order and the earlier step would then be a replay). Each use spends one pending transaction ("ticket":
 * a transaction id, or a signed challenge cookie for Better Auth), seeded in bulk beforehand.
 */

export interface PoolUser<T = unknown> {
  key: Uint8Array;
  /** Unused pending logins of this user. */
  tickets: string[];
  data: T;
  lastStep: number;
  busy: boolean;
}

export interface Grant<T> {
  user: PoolUser<T>;
  ticket: string;
  code: string;
  step: number;
}

export class CodePool<T = unknown> {
  readonly users: PoolUser<T>[] = [];
  #next = 0;
  /** A full scan at this step found nobody: answer null fast until the step changes. */
  #exhaustedAt = -1;

  add(key: Uint8Array, data: T, tickets: string[] = []): PoolUser<T> {
    const user: PoolUser<T> = { key, tickets, data, lastStep: -1, busy: false };
    this.users.push(user);
    return user;
  }

  /** A user, a pending login of theirs and the code to send, or null when none is usable right now. */
  take(nowMs = Date.now()): Grant<T> | null {
    return this.#take(nowMs, true);
  }

  /** A user and the code to send, for flows that open their own transaction (the full journey). */
  takeUser(nowMs = Date.now()): Grant<T> | null {
    return this.#take(nowMs, false);
  }

  #take(nowMs: number, withTicket: boolean): Grant<T> | null {
    const now = currentStep(nowMs);
    if (this.#exhaustedAt === now) return null;
    const n = this.users.length;
    for (let tries = 0; tries < n; tries++) {
      const user = this.users[this.#next]!;
      this.#next = (this.#next + 1) % n;
      if (user.busy || (withTicket && user.tickets.length === 0)) continue;
      const step = user.lastStep < now ? now : user.lastStep === now ? now + 1 : -1;
      if (step < 0) continue;
      user.lastStep = step;
      user.busy = true;
      return { user, ticket: withTicket ? user.tickets.pop()! : '', code: totpCode(user.key, step), step };
    }
    this.#exhaustedAt = now;
    return null;
  }

  release(grant: Grant<T>): void {
    grant.user.busy = false;
  }

  /** Uses available before the step changes (tickets permitting). */
  capacity(nowMs = Date.now(), withTickets = true): number {
    const now = currentStep(nowMs);
    let total = 0;
    for (const user of this.users) {
      const slots = user.lastStep < now ? 2 : user.lastStep === now ? 1 : 0;
      total += withTickets ? Math.min(slots, user.tickets.length) : slots;
    }
    return total;
  }

  ticketsLeft(): number {
    return this.users.reduce((sum, user) => sum + user.tickets.length, 0);
  }

  /**
   * Makes sure `needed` uses are available for a sample starting now: when the users' codes are spent
   * for this step, waits for the next step (at most one period). Tickets are the caller's job (seed more).
   */
  async waitForCapacity(needed: number, log?: (message: string) => void, withTickets = true): Promise<void> {
    const have = this.capacity(Date.now(), withTickets);
    if (have >= needed) return;
    const wait = msToNextStep() + 50;
    log?.(`  (code pool: ${have} uses left in this time step, ${needed} wanted; waiting ${(wait / 1000).toFixed(1)} s for the next step)`);
    await sleep(wait);
  }
}
