/**
 * Runs tasks one after another. DDP clients rely on this: a connection's methods (`login` before the calls
 * it authorises) must run in the order they were sent.
 */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  #stopped = false;

  constructor(private readonly onTaskError: (error: unknown) => void) {}

  /** Tasks queued or running. */
  get size(): number {
    return this.#pending;
  }

  push(task: () => Promise<void>): void {
    this.#pending += 1;
    this.#tail = this.#tail
      .then(() => (this.#stopped ? undefined : task()))
      .catch(this.onTaskError)
      .finally(() => {
        this.#pending -= 1;
      });
  }

  /** Resolves once every task queued so far has finished. */
  idle(): Promise<void> {
    return this.#tail;
  }

  /** Queued tasks are dropped (the running one finishes): nobody is left to read their answers. */
  stop(): void {
    this.#stopped = true;
  }
}
