/** Small statistics helpers: every figure the report prints is a median over samples. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in [0, 1]) of unsorted values; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return quantileSorted(sorted, q);
}

export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(n - 1, lower + 1);
  const weight = position - lower;
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

/** Median ratio of paired samples (a[i] / b[i]): robust to drift that hits both sides of one round alike. */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (b[i]! > 0 && Number.isFinite(a[i]!)) ratios.push(a[i]! / b[i]!);
  }
  return median(ratios);
}

/** Fisher–Yates on a copy, for interleaving candidates in a different order every round. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Latencies in nanoseconds (hrtime), kept exactly: a sample holds at most some hundred thousand. */
export class LatencyRecorder {
  #values = new Float64Array(1024);
  #count = 0;

  add(nanoseconds: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = nanoseconds;
  }

  get count(): number {
    return this.#count;
  }

  /** p50, p90, p99 and max in milliseconds. */
  summary(): LatencySummary {
    const sorted = this.#values.slice(0, this.#count).sort();
    const ms = (q: number) => quantileSorted(sorted, q) / 1e6;
    return { p50: ms(0.5), p90: ms(0.9), p99: ms(0.99), max: this.#count ? sorted[this.#count - 1]! / 1e6 : Number.NaN };
  }
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds since `start` (a process.hrtime.bigint() reading). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
