/**
 * One model-based run: `runs` random sequences of commands (fast-check, seeded), each on a fresh model and a
 * fresh set of users, against the system `open` builds. A failure shrinks to the shortest sequence that shows it
 * and is thrown with its seed and path; the seed is printed first, so a run is reproducible with
 * `npm run test:model -- --seed N`.
 */
import fc from 'fast-check';
import { commandsRun, commandTally, modelCommands, USERS } from './commands.ts';
import { CONTEXT, Harness, outcomeTally } from './harness.ts';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import type { Session } from '../../src/core/index.ts';
import { addSession, initialModel, stepAt, totpCode, type Model } from './model.ts';
import { MODEL_START, type System } from './system.ts';

export interface ModelRunOptions {
  label: string;
  runs: number;
  seed: number;
  /** Replays one counterexample: fast-check's `path` and the commands' `replayPath`, with the same seed. */
  path?: string;
  replayPath?: string;
  maxCommands: number;
  open(): System;
}

let runIndex = 0;

/** The first user also starts with an authenticator (the second starts with none): sign-ins ask for it at once. */
async function enrolAuthenticator(model: Model, real: Harness, session: Session): Promise<void> {
  const first = model.users[0]!;
  const asker = { session, context: CONTEXT, proof: { kind: 'recent' as const, sessionId: session.id } };
  const { secret } = await real.core().factors.totp.enrol(first.id!, asker);
  const key = decodeBase32(secret);
  const step = stepAt(model.now);
  const { backupCodes } = await real.core().factors.totp.confirm(first.id!, { kind: 'code', code: totpCode(key, step) }, asker);
  first.totp = { secret: key, lastUsedStep: step };
  first.backupCodes = new Map(backupCodes.map((c) => [c.replace('-', ''), false]));
}

export async function runModel(options: ModelRunOptions): Promise<{ sequences: number; commands: number; ms: number }> {
  const started = performance.now();
  const commandsBefore = commandsRun;
  let sequences = 0;
  console.log(`model run (${options.label}): seed ${options.seed}, ${options.runs} sequences of up to ${options.maxCommands} commands — reproduce: npm run test:model -- --seed ${options.seed} (a failure also prints --path and --replay)`);
  await fc.assert(
    fc.asyncProperty(fc.commands(modelCommands(), { maxCommands: options.maxCommands, size: 'max', ...(options.replayPath ? { replayPath: options.replayPath } : {}) }), async (commands) => {
      sequences += 1;
      const setup = async (): Promise<{ model: Model; real: Harness }> => {
        runIndex += 1;
        const tag = `${options.seed.toString(36)}.${runIndex}.${Math.random().toString(36).slice(2, 8)}`;
        const model = initialModel(MODEL_START.getTime(), Array.from({ length: USERS }, (_, i) => `model.${tag}.${i}@example.test`));
        const real = new Harness(options.open());
        // The first user exists from the start, its address verified and signed in, so sequences get going at once.
        const first = model.users[0]!;
        first.id = (await real.core().auth.register({ email: first.email, password: first.password })).user.id;
        await real.core().auth.confirmEmail(new URL(real.system.notices.last('verify-email', first.email).link).searchParams.get('token'));
        const signedIn = await real.core().auth.signIn({ identity: first.email, password: first.password }, CONTEXT);
        if (signedIn.kind !== 'session') throw new Error('a new user signs in without a second factor');
        addSession(model, first, { id: signedIn.issued.session.id, token: signedIn.issued.token }, false);
        await enrolAuthenticator(model, real, signedIn.issued.session);
        return { model, real };
      };
      await fc.asyncModelRun(setup, commands);
    }),
    { numRuns: options.runs, seed: options.seed, ...(options.path ? { path: options.path } : {}), endOnFailure: false },
  );
  const result = { sequences, commands: commandsRun - commandsBefore, ms: Math.round(performance.now() - started) };
  if (process.env.MODEL_STATS) console.log('commands:', Object.fromEntries(commandTally), '\nanswers:', Object.fromEntries(outcomeTally));
  console.log(`model run (${options.label}): ${result.sequences} sequences, ${result.commands} commands in ${(result.ms / 1000).toFixed(1)} s, every invariant held`);
  return result;
}

/** The seed of this run: MODEL_SEED when given (to reproduce one), else a new one, printed either way. */
export const modelSeed = () => (process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : Math.floor(Math.random() * 2 ** 31));

/** A counterexample to replay (MODEL_PATH, MODEL_REPLAY: set by `npm run test:model -- --path P --replay R`). */
export const modelReplay = () => ({
  ...(process.env.MODEL_PATH ? { path: process.env.MODEL_PATH } : {}),
  ...(process.env.MODEL_REPLAY ? { replayPath: process.env.MODEL_REPLAY } : {}),
});
