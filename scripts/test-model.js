#!/usr/bin/env node
// `npm run test:model -- [--runs N] [--seed N] [--path P --replay R] [--commands N] [--pg] [--real-passwords]`: the
// model-based run of the sign-in state machine (test/model), longer than CI's, or replaying one seed (and the
// `path` and `replayPath` fast-check printed with its shrunk counterexample) that failed. --pg runs it on PostgreSQL with two instances (TEST_DATABASE_URL,
// else 127.0.0.1:5432 as postgres). Passwords are hashed with argon2id at its smallest cost unless
// --real-passwords: the model is about the state machine, and a long run would otherwise spend most of its time
// in argon2 (password checks have tests of their own).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const value = (name) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const runs = value('runs') ?? '1000';
const pg = args.includes('--pg');
const env = {
  ...process.env,
  MODEL_RUNS: runs,
  MODEL_PG_RUNS: runs,
  MODEL_STATS: '1',
  ...(value('seed') ? { MODEL_SEED: value('seed') } : {}),
  ...(value('path') ? { MODEL_PATH: value('path') } : {}),
  ...(value('replay') ? { MODEL_REPLAY: value('replay') } : {}),
  ...(value('commands') ? { MODEL_COMMANDS: value('commands') } : {}),
  ...(args.includes('--real-passwords') ? {} : { MODEL_FAST_PASSWORDS: '1' }),
  TEST_DATABASE_URL: pg ? process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres' : '',
};
const file = pg ? 'test/model/sign-in-model.pg.test.ts' : 'test/model/sign-in-model.test.ts';
const result = spawnSync('npx', ['vitest', 'run', file, '--reporter=default'], { stdio: 'inherit', env });
process.exitCode = result.status ?? 1;
