// The sign-in model against PostgreSQL (issue 18): the same commands as sign-in-model.test.ts, with two core
// instances (a pool each) sharing one database and taking the requests in turn — bursts included — so the atomic
// statements of migration 0008 are held to the model and its invariants across instances. Fewer sequences: each
// command is a few round trips.
import { vi, afterAll, describe, it } from 'vitest';

// Long runs only (MODEL_FAST_PASSWORDS=1, set by `npm run test:model`): argon2id at its smallest cost instead of
// the production parameters (verification reads the cost from the hash). Without it, the real library as it is.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  if (!process.env.MODEL_FAST_PASSWORDS) return real;
  return { ...real, hash: (password: string, options: Parameters<typeof real.hash>[1]) => real.hash(password, { ...options, memoryCost: 8, timeCost: 1 }) };
});
import { anotherPool, testDb } from '../helpers/db.ts';
import { modelReplay, modelSeed, runModel } from './run.ts';
import { postgresSystem } from './system.ts';

const runs = Number(process.env.MODEL_PG_RUNS ?? 12);
const second = anotherPool();
afterAll(() => second.close());

describe('the sign-in state machine against its model, on PostgreSQL with two instances', () => {
  it(`holds every invariant over ${runs} random sequences`, async () => {
    const first = await testDb();
    await runModel({ label: 'postgres, two instances', runs, seed: modelSeed(), maxCommands: 25, open: () => postgresSystem([first, second]), ...modelReplay() });
  }, 600_000);
});
