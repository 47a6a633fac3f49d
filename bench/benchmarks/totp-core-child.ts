import { createHmac, randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import speakeasy from 'speakeasy';
import { generateTOTP as osloGenerate, verifyTOTPWithGracePeriod } from '@oslojs/otp';
import { generateSync as otplibGenerate, verifySync as otplibVerify } from 'otplib';
import { generateTOTP, verifyTOTPStep } from '../../src/core/otp/totp.ts';
import { hotpValue } from '../../src/core/otp/hotp.ts';
import { interleave } from '../lib/sampler.ts';
import { median, pairedRatio, sleep } from '../lib/stats.ts';
import { currentStep, msToNextStep, totpCode } from '../lib/totp-client.ts';

/**
 * Run in its own process (bench/benchmarks/totp-core.ts spawns it): TOTP verification, SHA-1, 6 digits,
 * ±1 step, for a matching code (the current step's) and a wrong code (the worst case: every step of the
 * window is computed), by twofold, its peers and the floor. Prints one JSON line.
 */

const quick = process.argv.includes('--quick');
const KEYS = 256;
const BATCH_MS = quick ? 60 : 150;
const ROUNDS = quick ? 5 : 15;

type Verify = (i: number, code: string) => boolean;
interface Candidate {
  name: string;
  verify: Verify;
}

const keys = Array.from({ length: KEYS }, () => randomBytes(20));
const otpauthTotps = keys.map((key) => new OTPAuth.TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromHex(key.toString('hex')) }));
const uint8Keys = keys.map((key) => new Uint8Array(key));

// ---- the floor: one bare createHmac('sha1') per step, truncation and compare included ---------------------
const floorCounter = Buffer.alloc(8);
function floorStep(key: Buffer, step: number, expected: number): boolean {
  floorCounter.writeUInt32BE(Math.floor(step / 0x1_0000_0000), 0);
  floorCounter.writeUInt32BE(step >>> 0, 4);
  const mac = createHmac('sha1', key).update(floorCounter).digest();
  const offset = mac[19]! & 0x0f;
  return (mac.readUInt32BE(offset) & 0x7fff_ffff) % 1_000_000 === expected;
}

const candidates: Candidate[] = [
  { name: 'twofold', verify: (i, code) => verifyTOTPStep(keys[i]!, code, { timeMs: Date.now(), windowSteps: 1 }) !== null },
  { name: 'otpauth', verify: (i, code) => otpauthTotps[i]!.validate({ token: code, window: 1 }) !== null },
  // speakeasy takes a Buffer secret as is (its typings only say string): no decoding per call.
  { name: 'speakeasy', verify: (i, code) => speakeasy.totp.verify({ secret: keys[i] as unknown as string, token: code, window: 1 }) },
  { name: '@oslojs/otp', verify: (i, code) => verifyTOTPWithGracePeriod(uint8Keys[i]!, 30, 6, code, 30) },
  { name: 'otplib', verify: (i, code) => otplibVerify({ secret: uint8Keys[i]!, token: code, epochTolerance: 30 }).valid },
];
const LIBRARIES = candidates.slice(1).map((c) => c.name);
// The floor for a match computes one HMAC (the current step, checked first); for a wrong code all three.
const floorMatch: Verify = (i, code) => floorStep(keys[i]!, Math.floor(Date.now() / 30_000), Number(code));
const floorWrong: Verify = (i, code) => {
  const step = Math.floor(Date.now() / 30_000);
  const expected = Number(code);
  // Non-short-circuit: all three are computed, as a verifier must for a wrong code.
  const a = floorStep(keys[i]!, step - 1, expected);
  const b = floorStep(keys[i]!, step, expected);
  const c = floorStep(keys[i]!, step + 1, expected);
  return a || b || c;
};

// ---- agreement first ------------------------------------------------------------------------------------

/** RFC 6238 appendix B, SHA-1 rows: the seed is the ASCII "12345678901234567890". */
const RFC_6238: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

function withClock<T>(ms: number, fn: () => T): T {
  const real = Date.now;
  Date.now = () => ms;
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}

async function checkAgreement(): Promise<{ vectors: number; windowChecks: number; hotpChecks: number }> {
  const seed = Buffer.from('12345678901234567890', 'ascii');
  const generators: Record<string, (t: number) => string> = {
    twofold: (t) => generateTOTP(seed, t * 1000, { algorithm: 'SHA1', digits: 8, periodSeconds: 30 }),
    otpauth: (t) => new OTPAuth.TOTP({ algorithm: 'SHA1', digits: 8, period: 30, secret: OTPAuth.Secret.fromHex(seed.toString('hex')) }).generate({ timestamp: t * 1000 }),
    speakeasy: (t) => speakeasy.totp({ secret: seed as unknown as string, time: t, digits: 8 }),
    '@oslojs/otp': (t) => withClock(t * 1000, () => osloGenerate(seed, 30, 8)),
    otplib: (t) => otplibGenerate({ secret: new Uint8Array(seed), epoch: t, digits: 8, algorithm: 'sha1' }),
    floor: (t) => totpCode(seed, Math.floor(t / 30), 8),
  };
  let vectors = 0;
  for (const [t, expected] of RFC_6238) {
    for (const [name, generate] of Object.entries(generators)) {
      const got = generate(t);
      if (got !== expected) throw new Error(`${name} disagrees with RFC 6238 at T=${t}: ${got} instead of ${expected}`);
      vectors++;
    }
  }

  // Same window semantics: codes of steps -1, 0, +1 pass, -2 and +2 fail, for every library.
  let windowChecks = 0;
  if (msToNextStep() < 2_000) await sleep(msToNextStep() + 20);
  const step = currentStep();
  for (let i = 0; i < 32; i++) {
    const inside = [-1, 0, 1].map((o) => totpCode(keys[i]!, step + o));
    for (const offset of [-2, -1, 0, 1, 2]) {
      const code = totpCode(keys[i]!, step + offset);
      if (Math.abs(offset) === 2 && inside.includes(code)) continue; // that code also belongs to a step inside
      for (const candidate of candidates) {
        const accepted = candidate.verify(i, code);
        if (accepted !== Math.abs(offset) <= 1) throw new Error(`${candidate.name} ${accepted ? 'accepts' : 'rejects'} a code ${offset} steps away`);
        windowChecks++;
      }
    }
  }

  // twofold computes HMAC-SHA-1 itself: check it against node:crypto on keys of every length.
  let hotpChecks = 0;
  for (let n = 0; n < 5_000; n++) {
    const key = randomBytes(1 + (n % 130));
    const counter = Math.floor(Math.random() * 2 ** 48);
    const expected = Number(totpCode(key, counter, 8));
    if (hotpValue(key, counter, 8, 'SHA1') !== expected) throw new Error(`twofold HOTP differs from node:crypto for a ${key.length}-byte key`);
    hotpChecks++;
  }
  return { vectors, windowChecks, hotpChecks };
}

// ---- measurement -----------------------------------------------------------------------------------------

interface Inputs {
  match: string[];
  wrong: string[];
}

/** Codes for the current step, and wrong codes that match no step of the window. */
function inputsForNow(): Inputs {
  const step = currentStep();
  const match: string[] = [];
  const wrong: string[] = [];
  for (const key of keys) {
    const window = [step - 1, step, step + 1].map((s) => totpCode(key, s));
    match.push(window[1]!);
    let value = (Number(window[1]) + 500_000) % 1_000_000;
    while (window.includes(String(value).padStart(6, '0'))) value = (value + 1) % 1_000_000;
    wrong.push(String(value).padStart(6, '0'));
  }
  return { match, wrong };
}

let inputs = inputsForNow();
let inputsStep = currentStep();

/** Keeps every batch inside one time step, so a "match" stays a current-step match throughout. */
async function freshInputs(): Promise<Inputs> {
  if (msToNextStep() < BATCH_MS * 3 + 100) await sleep(msToNextStep() + 20);
  if (currentStep() !== inputsStep) {
    inputs = inputsForNow();
    inputsStep = currentStep();
  }
  return inputs;
}

/** Operations per second of `verify` over the codes, for about BATCH_MS. */
function measure(verify: Verify, codes: string[], expect: boolean, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let n = 0; n < iterations; n++) {
    const i = n & (KEYS - 1);
    if (verify(i, codes[i]!) !== expect) throw new Error(`wrong verdict for key ${i}`);
  }
  return iterations / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Iterations that take about BATCH_MS for this function. */
function calibrate(verify: Verify, codes: string[], expect: boolean): number {
  let iterations = 256;
  for (;;) {
    const start = process.hrtime.bigint();
    measure(verify, codes, expect, iterations);
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (elapsedMs > 20) return Math.max(256, Math.round((iterations * BATCH_MS) / elapsedMs));
    iterations *= 4;
  }
}

async function main(): Promise<void> {
  const agreement = await checkAgreement();
  const cases = [
    { name: 'match', expect: true, floor: floorMatch },
    { name: 'wrong', expect: false, floor: floorWrong },
  ] as const;
  const all = [...candidates, { name: 'floor', verify: floorMatch }];
  const results: Record<string, Record<string, number[]>> = {};
  for (const c of cases) {
    // Calibrate on codes of the current step too: the floor checks that step alone, so codes made before a
    // step boundary would no longer match it.
    const runs: { name: string; verify: Verify; iterations: number }[] = [];
    for (const candidate of all) {
      const verify = candidate.name === 'floor' ? c.floor : candidate.verify;
      runs.push({ name: candidate.name, verify, iterations: calibrate(verify, (await freshInputs())[c.name], c.expect) });
    }
    results[c.name] = await interleave({
      candidates: runs.map((run) => ({
        name: run.name,
        sample: async () => {
          const codes = (await freshInputs())[c.name];
          return measure(run.verify, codes, c.expect, run.iterations);
        },
      })),
      rounds: ROUNDS,
      warmupRounds: 2,
    });
  }

  const summary = Object.fromEntries(
    cases.map((c) => {
      const per = results[c.name]!;
      const fastestLibraryPerRound = per.twofold!.map((_, r) => Math.max(...LIBRARIES.map((name) => per[name]![r]!)));
      const fastestLibrary = LIBRARIES.reduce((best, name) => (median(per[name]!) > median(per[best]!) ? name : best), LIBRARIES[0]!);
      return [
        c.name,
        {
          opsPerSecond: Object.fromEntries(Object.entries(per).map(([name, samples]) => [name, median(samples)])),
          fastestLibrary,
          vsFastestLibrary: pairedRatio(per.twofold!, fastestLibraryPerRound),
          vsFloor: pairedRatio(per.twofold!, per.floor!),
        },
      ];
    }),
  );
  process.stdout.write(`${JSON.stringify({ agreement, rounds: ROUNDS, batchMs: BATCH_MS, samples: results, summary })}\n`);
}

await main();
