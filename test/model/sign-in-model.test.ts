// Model-based testing of the sign-in state machine (issue 18, docs/security.md "The sign-in model"): random
// sequences of registrations, sign-ins, right / wrong / replayed / old-step answers, backup and email codes,
// factor changes with and without proof, revocations, remembered devices, time passing and parallel bursts, run
// against a core over the memory stores and against the reference model (test/model/model.ts), with the
// invariants checked after every command. Bounded and seeded in CI; `npm run test:model -- --runs N` runs longer.
import { vi, describe, it } from 'vitest';

// Long runs only (MODEL_FAST_PASSWORDS=1, set by `npm run test:model`): argon2id at its smallest cost instead of
// the production parameters (verification reads the cost from the hash). Without it, the real library as it is.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  if (!process.env.MODEL_FAST_PASSWORDS) return real;
  return { ...real, hash: (password: string, options: Parameters<typeof real.hash>[1]) => real.hash(password, { ...options, memoryCost: 8, timeCost: 1 }) };
});
import { modelReplay, modelSeed, runModel } from './run.ts';
import { memorySystem } from './system.ts';

const runs = Number(process.env.MODEL_RUNS ?? 60);

// The PostgreSQL pass runs the two-instance variant (sign-in-model.pg.test.ts) instead: the same commands, on SQL.
const postgresPass = Boolean(process.env.TEST_DATABASE_URL);

describe('the sign-in state machine against its model', () => {
  it.skipIf(postgresPass)(`holds every invariant over ${runs} random sequences (memory stores)`, async () => {
    await runModel({ label: 'memory', runs, seed: modelSeed(), maxCommands: Number(process.env.MODEL_COMMANDS ?? 25), open: () => memorySystem(), ...modelReplay() });
  }, 600_000_000);
});
