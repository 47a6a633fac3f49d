/**
 * Idle detection in whole intervals (not timestamps, so timer jitter cannot cause a spurious drop): an interval
 * without a frame from the client earns it a ping; a second silent interval in a row means it is gone.
 */
export class Heartbeat {
  #heard = false;
  #pinged = false;
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs: number, ping: () => void, timeout: () => void) {
    this.#timer = setInterval(() => this.#tick(ping, timeout), intervalMs);
    // A ticking heartbeat must not keep a process alive that is otherwise done.
    this.#timer.unref();
  }

  heard(): void {
    this.#heard = true;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(ping: () => void, timeout: () => void): void {
    if (this.#heard) {
      this.#heard = false;
      this.#pinged = false;
    } else if (this.#pinged) {
      this.stop();
      timeout();
    } else {
      this.#pinged = true;
      ping();
    }
  }
}
