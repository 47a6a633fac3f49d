import { shuffled } from './stats.ts';

/**
 * Interleaved sampling: every round takes one sample of every candidate, in an order that changes from
 * round to round (reversed every other round for two candidates, shuffled for more), so slow drift of a
 * shared, noisy machine falls on all candidates alike. Figures are then medians over rounds, and ratios
 * are computed within each round before taking their median.
 */
export interface InterleaveOptions<M> {
  candidates: ReadonlyArray<{ name: string; sample: () => Promise<M> }>;
  rounds: number;
  /** Rounds run first and thrown away (JIT, caches, connection pools). */
  warmupRounds?: number;
  /** Called before each round (e.g. to top up seeded transactions). */
  beforeRound?: (round: number) => Promise<void>;
  onSample?: (name: string, round: number, result: M) => void;
}

export async function interleave<M>(options: InterleaveOptions<M>): Promise<Record<string, M[]>> {
  const results: Record<string, M[]> = Object.fromEntries(options.candidates.map((c) => [c.name, [] as M[]]));
  const warmup = options.warmupRounds ?? 0;
  for (let round = -warmup; round < options.rounds; round++) {
    await options.beforeRound?.(round);
    const order =
      options.candidates.length === 2
        ? round % 2 === 0
          ? options.candidates
          : [...options.candidates].reverse()
        : shuffled(options.candidates);
    for (const candidate of order) {
      const result = await candidate.sample();
      if (round < 0) continue;
      results[candidate.name]!.push(result);
      options.onSample?.(candidate.name, round, result);
    }
  }
  return results;
}
