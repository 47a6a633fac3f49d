// Model-based testing of the sign-in state machine (issue 18, docs/security.md "The sign-in model"): random
// sequences of registrations, sign-ins, right / wrong / replayed / old-step answers, backup and email codes,
// factor changes with and without proof, revocations, remembered devices, time passing and parallel bursts, run
// against a core over the memory stores and against the reference model (test/model/model.ts), with the
// invariants checked after every command. Bounded and seeded in CI; `npm run test:model -- --runs N` runs longer.
import { describe, it } from 'vitest';
import { runModel, modelSeed } from './run.ts';
import { memorySystem } from './system.ts';

const runs = Number(process.env.MODEL_RUNS ?? 60);

describe('the sign-in state machine against its model', () => {
  it(`holds every invariant over ${runs} random sequences (memory stores)`, async () => {
    await runModel({ label: 'memory', runs, seed: modelSeed(), maxCommands: Number(process.env.MODEL_COMMANDS ?? 25), open: () => memorySystem(), ...(process.env.MODEL_PATH ? { path: process.env.MODEL_PATH } : {}) });
  }, 600_000_000);
});
