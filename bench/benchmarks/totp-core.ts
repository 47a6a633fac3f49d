import { runChildJson } from '../lib/process.ts';
import { percent, rate, ratio, type Mode, type Section } from '../lib/report.ts';

/** 1. TOTP verify core: twofold vs otpauth, speakeasy, @oslojs/otp, otplib and the createHmac floor. */

interface ChildResult {
  agreement: { vectors: number; windowChecks: number; hotpChecks: number };
  rounds: number;
  batchMs: number;
  samples: Record<string, Record<string, number[]>>;
  summary: Record<'match' | 'wrong', { opsPerSecond: Record<string, number>; fastestLibrary: string; vsFastestLibrary: number; vsFloor: number }>;
}

const CANDIDATES = ['twofold', 'otpauth', 'speakeasy', '@oslojs/otp', 'otplib', 'floor'];

export async function totpCore(mode: Mode): Promise<Omit<Section, 'seconds'>> {
  const result = await runChildJson<ChildResult>('bench/benchmarks/totp-core-child.ts', mode.quick ? ['--quick'] : []);
  const { match, wrong } = result.summary;
  const row = (name: string) => {
    const label = name === 'floor' ? 'floor: bare createHmac per step (1 for a match, 3 for a wrong code)' : name;
    return [label, rate(match.opsPerSecond[name]!), (1e9 / match.opsPerSecond[name]!).toFixed(0), rate(wrong.opsPerSecond[name]!), (1e9 / wrong.opsPerSecond[name]!).toFixed(0)];
  };
  const judged = !mode.quick;
  return {
    id: 'totp-core',
    title: 'TOTP verify core',
    method:
      'SHA-1, 6 digits, ±1 step, 256 random 20-byte keys, at the current time: a **matching code** (the current step\'s) and a ' +
      '**wrong code** (matches no step of the window: the worst case, every step is computed). Each library is called the way ' +
      'its documentation shows, with the key in the form it takes fastest (a Buffer / Uint8Array, a prebuilt otpauth `TOTP` ' +
      'object); otplib v13 uses its default crypto plugin (@noble/hashes, it ships no node:crypto plugin). The **floor** is ' +
      'one bare `createHmac(\'sha1\')` per step with truncation and compare: one HMAC for a match, three for a wrong code. ' +
      `Before measuring, every candidate must reproduce the ${result.agreement.vectors / 6} SHA-1 vectors of RFC 6238 appendix B ` +
      `(8 digits) and agree on the window (${result.agreement.windowChecks} checks: steps −1, 0, +1 accepted, ±2 refused), and ` +
      `twofold's HOTP must equal node:crypto's on ${result.agreement.hotpChecks} random keys of 1 to 130 bytes. ` +
      `Measured in a separate Node process: ${result.rounds} interleaved rounds of ~${result.batchMs} ms batches per candidate and case (after 2 warm-up rounds).`,
    tables: [
      {
        columns: ['candidate', 'match: verifies/s', 'match: ns each', 'wrong code: verifies/s', 'wrong code: ns each'],
        rows: CANDIDATES.map(row),
      },
    ],
    targets: [
      { label: 'match vs fastest library', goal: '≥ 1.40×', actual: `${ratio(match.vsFastestLibrary)} (vs ${match.fastestLibrary})`, met: judged ? match.vsFastestLibrary >= 1.4 : null },
      { label: 'wrong code vs fastest library', goal: '≥ 1.40×', actual: `${ratio(wrong.vsFastestLibrary)} (vs ${wrong.fastestLibrary})`, met: judged ? wrong.vsFastestLibrary >= 1.4 : null },
      { label: 'match vs the 1-HMAC floor', goal: '≥ 85 %', actual: percent(match.vsFloor), met: judged ? match.vsFloor >= 0.85 : null },
      { label: 'wrong code vs the 3-HMAC floor', goal: '≥ 90 %', actual: percent(wrong.vsFloor), met: judged ? wrong.vsFloor >= 0.9 : null },
    ],
    notes: [
      'twofold checks the window from the latest step down and returns the latest match (so an earlier step can never be ' +
        'replayed after a later one), so a current-step match costs it two steps, not one; it still beats the one-HMAC floor ' +
        'because it computes HMAC-SHA-1 itself (`src/core/otp/hotp.ts`): the key\'s two pad blocks are compressed once per ' +
        'verification, then each step costs two SHA-1 compressions in JavaScript, where `createHmac` pays for a new HMAC object, ' +
        'both key blocks and a crossing into C++ on every step.',
      'otpauth checks the current step first and stops there on a match (one HMAC), hence its lead among the libraries on a ' +
        'match; on a wrong code every library computes all three steps.',
    ],
    data: result,
  };
}
